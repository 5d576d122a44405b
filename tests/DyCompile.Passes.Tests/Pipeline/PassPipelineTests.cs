using DyCompile.IR;
using DyCompile.Passes.Folding;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Memory;
using DyCompile.Passes.Optimization;
using DyCompile.Passes.Partition;
using DyCompile.Passes.Pipeline;
using DyCompile.Passes.Preparation;
using DyCompile.Runtime;

namespace DyCompile.Passes.Tests.Pipeline;

/// <summary>The pipeline runs its passes in the listed order, each one doing only its own part:
/// the split leaves segments as the program wrote them, the optimizer is a pass of its own, and
/// the per-segment passes fill in a segment's plan one part at a time.</summary>
public class PassPipelineTests
{
    /// <summary>A double transpose the optimizer removes, a host counter on constants, and a branch.</summary>
    private const string Program = """
        program @p(%x: tensor<f32, [2, 8]>, %thr: float) -> (tensor<f32, [2, 8]>) {
          weight @w : tensor<f32, [8, 8]>
        ^entry(%x: tensor<f32, [2, 8]>, %thr: float):
          %one = const 1 : int
          %two = const 2 : int
          %three = host.add(%one, %two)
          %f = host.to_float(%three)
          %t = transpose(%x) {dim0 = 0, dim1 = 1}
          %tt = transpose(%t) {dim0 = 0, dim1 = 1}
          %y = matmul(%tt, @w)
          %e = exp(%y)
          %r = relu(%e)
          %m = max(%r) {dims = [], keepdim = false}
          %c = item(%m)
          %limit = host.mul(%thr, %f)
          %stop = host.gt(%c, %limit)
          branch %stop, ^exit(%r), ^more(%r)
        ^more(%z: tensor<f32, [2, 8]>):
          %n = neg(%z)
          jump ^exit(%n)
        ^exit(%out: tensor<f32, [2, 8]>):
          return %out
        }
        """;

    [Fact]
    public void ThePassesRunInTheListedOrderAndEachDumpsItsResult()
    {
        var dumps = new List<PassDump>();
        var planned = PassPipeline.Plan(PassPipeline.Partition(IRProgram.Parse(Program), new PartitionOptions { IfConversion = false }, dumps), _ => false, dumps);
        Assert.Equal(["verify", "fold-constants", "simplify-control-flow", "partition", "optimize-segments", "share-segments", "prepare-weights", "fuse", "plan-memory"],
            dumps.Select(d => d.Pass));
        Assert.All(dumps, d => Assert.False(string.IsNullOrWhiteSpace(d.Text), d.Pass));
        Assert.All(planned.Segments, s => Assert.True(s.IsComplete, s.Segment.Name));
        Assert.Equal(planned.Partition.Distinct.Count, planned.Segments.Count);
    }

    [Fact]
    public void TheSplitDoesNotOptimizeAndTheOptimizationPassDoes()
    {
        var program = IRProgram.Parse(Program);
        var options = new PartitionOptions { IfConversion = false };
        var simplified = new ControlFlowSimplificationPass(options).Run(program);
        var split = new PartitionPass(program).Run(simplified);
        var entry = split.Segments.Single(s => s.Block == "entry");
        Assert.Null(entry.Optimization);
        Assert.Equal(2, entry.Graph.Nodes.Count(n => n.Op == "transpose"));

        var optimized = new SegmentOptimizationPass(options).Run(split);
        var after = optimized.Segments.Single(s => s.Block == "entry");
        Assert.NotNull(after.Optimization);
        Assert.DoesNotContain(after.Graph.Nodes, n => n.Op == "transpose");
        // The host still passes and receives the same values.
        Assert.Equal(entry.Graph.Inputs.Select(v => v.Ref), after.Graph.Inputs.Select(v => v.Ref));
        Assert.Equal(entry.Graph.Outputs.Select(v => v.Name), after.Graph.Outputs.Select(v => v.Name));

        var off = new SegmentOptimizationPass(options with { OptimizeSegments = false }).Run(split);
        Assert.Same(split, off);
    }

    [Fact]
    public void TheOptimizedPartitionComputesWhatTheProgramDoes()
    {
        var program = IRProgram.Parse(Program);
        var partition = PassPipeline.Partition(program, new PartitionOptions { IfConversion = false });
        var weights = new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray([.. Enumerable.Range(0, 64).Select(i => (i % 7 - 3) * 0.1f)], 8, 8) };
        var interpreter = new Interpreter();
        foreach (var threshold in new[] { 0.1f, 100f })
        {
            object[] inputs = [Tensor.FromArray([.. Enumerable.Range(0, 16).Select(i => i * 0.05f)], 2, 8), threshold];
            var expected = (Tensor)interpreter.Run(program, inputs, weights).Outputs[0];
            var actual = (Tensor)interpreter.Run(partition.Simplified, inputs, weights).Outputs[0];
            Assert.Equal(expected.Floats.ToArray(), actual.Floats.ToArray());
        }
    }

    [Fact]
    public void ConstantFoldingFoldsHostOpsOnConstantsOnly()
    {
        var pass = new ConstantFoldingPass();
        var folded = pass.Run(IRProgram.Parse(Program));
        Assert.Equal(2, pass.Folded); // host.add and host.to_float; host.mul reads an input
        var entry = folded.Entry.Nodes.ToList();
        var three = entry.Single(n => n.Results.Any(r => r.Name == "three"));
        Assert.Equal("const", three.Op);
        Assert.Equal(3.0, three.Payload!.Values[0]);
        Assert.Equal(3.0, entry.Single(n => n.Results.Any(r => r.Name == "f")).Payload!.Values[0]);
        Assert.Equal("host.mul", entry.Single(n => n.Results.Any(r => r.Name == "limit")).Op);
        Assert.Empty(Verifier.Errors(folded));
    }

    [Fact]
    public void AnIntDivisionByZeroIsLeftToFailAtRunTime()
    {
        var program = IRProgram.Parse("""
            program @d() -> (int) {
            ^entry():
              %a = const 7 : int
              %z = const 0 : int
              %q = host.div(%a, %z)
              return %q
            }
            """);
        var pass = new ConstantFoldingPass();
        Assert.Same(program, pass.Run(program));
        Assert.Equal(0, pass.Folded);
    }

    [Fact]
    public void MemoryPlanningAsksTheBackendWhichNodesWriteIntoADestination()
    {
        var partition = PassPipeline.Partition(IRProgram.Parse(Program), new PartitionOptions { IfConversion = false });
        var fused = new FusionPass().Run(new WeightPreparationPass().Run(PlannedProgram.Of(partition)));
        Assert.All(fused.Segments, s => Assert.Null(s.Memory));
        var none = new MemoryPlanningPass(_ => false).Run(fused);
        var matmul = new MemoryPlanningPass(n => n.Op == "matmul").Run(fused);
        var entry = partition.Distinct.Single(d => d.Graph.Nodes.Any(n => n.Op == "matmul"));
        var product = entry.Graph.Nodes.Single(n => n.Op == "matmul").Result;
        Assert.DoesNotContain(product, none[entry].IntoDestination!);
        Assert.Contains(product, matmul[entry].IntoDestination!);
        Assert.Contains(product, matmul[entry].Memory!.BufferOf.Keys);
        // A fused loop always writes into a destination.
        Assert.All(none[entry].Steps!.OfType<ElementwiseLoop>(), loop => Assert.All(loop.Outputs, o => Assert.Contains(o, none[entry].IntoDestination!)));
    }

    [Fact]
    public void AProgramThatDoesNotVerifyStopsThePipeline()
    {
        var broken = new IRProgram("broken", [], [IRType.Int], [], [new Block("entry", [], [])]);
        var e = Assert.Throws<ProgramVerificationException>(() => PassPipeline.Partition(broken, new PartitionOptions()));
        Assert.Contains("@broken fails verification", e.Message);
        Assert.NotEmpty(e.Errors);
    }
}
