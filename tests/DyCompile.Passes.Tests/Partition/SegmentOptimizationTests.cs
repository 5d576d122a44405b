using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;

namespace DyCompile.Passes.Tests.Partition;

/// <summary>Segments go through the e-graph optimizer before they are compiled, and segments that
/// compute the same function share one distinct segment even when written differently.</summary>
public class SegmentOptimizationTests
{
    /// <summary>A double transpose and a matrix chain whose cheaper grouping is the other one, before an exit test.</summary>
    private const string Wasteful = """
        program @wasteful(%x: tensor<f32, [2, 64]>, %thr: float) -> (tensor<f32, [2, 4]>) {
          weight @a : tensor<f32, [64, 64]>
          weight @b : tensor<f32, [64, 4]>
        ^entry(%x: tensor<f32, [2, 64]>, %thr: float):
          %t = transpose(%x) {dim0 = 0, dim1 = 1}
          %tt = transpose(%t) {dim0 = 0, dim1 = 1}
          %ab = matmul(@a, @b)
          %y = matmul(%tt, %ab)
          %m = max(%y) {dims = [], keepdim = false}
          %c = item(%m)
          %stop = host.gt(%c, %thr)
          branch %stop, ^exit(%y), ^more(%y)
        ^more(%z: tensor<f32, [2, 4]>):
          %r = relu(%z)
          jump ^exit(%r)
        ^exit(%out: tensor<f32, [2, 4]>):
          return %out
        }
        """;

    /// <summary>A branch whose left side computes relu(exp(x − y)); <paramref name="right"/> is the
    /// right side's body over %rx and %ry, ending in %r2.</summary>
    private static string TwoSides(string right) => $$"""
        program @spellings(%x: tensor<f32, [4, 8]>, %y: tensor<f32, [4, 8]>, %p: bool) -> (tensor<f32, [4, 8]>) {
        ^entry(%x: tensor<f32, [4, 8]>, %y: tensor<f32, [4, 8]>, %p: bool):
          branch %p, ^left(%x, %y), ^right(%x, %y)
        ^left(%lx: tensor<f32, [4, 8]>, %ly: tensor<f32, [4, 8]>):
          %d = sub(%lx, %ly)
          %e = exp(%d)
          %r = relu(%e)
          jump ^exit(%r)
        ^right(%rx: tensor<f32, [4, 8]>, %ry: tensor<f32, [4, 8]>):
          {{right}}
          jump ^exit(%r2)
        ^exit(%out: tensor<f32, [4, 8]>):
          return %out
        }
        """;

    private static readonly PartitionOptions _plain = new() { IfConversion = false, OptimizeSegments = false, FunctionalSharing = false };

    [Fact]
    public void SegmentsAreOptimizedAndKeepTheirInterface()
    {
        var program = IRProgram.Parse(Wasteful);
        var optimized = Partitioner.Partition(program);
        var plain = Partitioner.Partition(program, _plain with { IfConversion = true });

        var entry = optimized.Segments.Single(s => s.Block == "entry");
        var before = plain.Segments.Single(s => s.Block == "entry");
        Assert.DoesNotContain(entry.Graph.Nodes, n => n.Op == "transpose");
        Assert.NotNull(entry.Optimization);
        Assert.True(entry.Optimization!.CostAfter < entry.Optimization.CostBefore, entry.Optimization.ToString());
        // Same inputs and outputs, outputs under the program's names (the host reads them by position).
        Assert.Equal(before.Graph.Inputs.Select(v => (v.Name, v.Type)), entry.Graph.Inputs.Select(v => (v.Name, v.Type)));
        Assert.Equal(before.Graph.Outputs.Select(v => (v.Name, v.Type)), entry.Graph.Outputs.Select(v => (v.Name, v.Type)));
        Assert.Equal(entry.Graph.Weights, optimized.Host.Single(b => b.Name == "entry").Call!.Weights);

        var rng = new Random(3);
        var weights = program.Weights.ToDictionary(w => w.Name, w => RandomTensor(rng, (TensorType)w.Type));
        var interpreter = new Interpreter();
        for (var run = 0; run < 8; run++)
        {
            var x = RandomTensor(rng, (TensorType)program.Inputs[0].Type);
            object[] inputs = [.. before.Graph.Inputs.Select(v => v.Type is TensorType ? x : (object)0.5f)];
            var expected = interpreter.Run(before.Graph.ToProgram(), inputs, weights).Outputs;
            var actual = interpreter.Run(entry.Graph.ToProgram(), inputs, weights).Outputs;
            AssertClose((Tensor)expected[0], (Tensor)actual[0]);
        }
    }

    [Fact]
    public void EquivalentSegmentsWrittenDifferentlyShareOneDistinctSegment()
    {
        // exp is positive, so abs(exp(x − y)) = relu(exp(x − y)).
        var program = IRProgram.Parse(TwoSides("%d2 = sub(%rx, %ry)\n  %e2 = exp(%d2)\n  %r2 = abs(%e2)"));
        var shared = Partitioner.Partition(program, _plain with { FunctionalSharing = true });
        var separate = Partitioner.Partition(program, _plain);

        Assert.Equal(2, separate.Distinct.Count);
        Assert.Single(shared.Distinct);
        Assert.Equal(1, shared.FunctionallyShared);
        Assert.Contains("1 shared by functional hash", shared.ToText());
        Assert.Same(shared.Segments.Single(s => s.Block == "left").Distinct, shared.Segments.Single(s => s.Block == "right").Distinct);
    }

    [Fact]
    public void SegmentsComputingDifferentFunctionsStayApart()
    {
        // relu(exp(y − x)), with x still the first input, has the signature of relu(exp(x − y))
        // but is another function of the positional inputs.
        var program = IRProgram.Parse(TwoSides("%n = neg(%rx)\n  %d2 = add(%n, %ry)\n  %e2 = exp(%d2)\n  %r2 = relu(%e2)"));
        var partition = Partitioner.Partition(program, _plain with { FunctionalSharing = true });
        Assert.Equal(2, partition.Distinct.Count);
        Assert.Equal(0, partition.FunctionallyShared);
    }

    [Fact]
    public void SegmentsWithSideEffectsAreLeftAlone()
    {
        var program = IRProgram.Parse("""
            program @effects(%x: tensor<f32, [2, 2]>) -> (tensor<f32, [2, 2]>) {
            ^entry(%x: tensor<f32, [2, 2]>):
              %id = const 0 : int
              %done = host.call(%id, %x)
              %t = transpose(%x) {dim0 = 0, dim1 = 1}
              %tt = transpose(%t) {dim0 = 0, dim1 = 1}
              %r = relu(%tt)
              return %r
            }
            """);
        var segment = Partitioner.Partition(program).Segments.Single();
        Assert.Null(segment.Optimization);
        Assert.Contains(segment.Graph.Nodes, n => n.Op == "host.call");
        Assert.Equal(2, segment.Graph.Nodes.Count(n => n.Op == "transpose"));
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        var e = expected.ToFloatArray();
        var a = actual.ToFloatArray();
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        for (var i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4f * (1 + Math.Abs(e[i])), $"element {i}: {a[i]} optimized, {e[i]} as written");
    }

    private static Tensor RandomTensor(Random rng, TensorType t) =>
        Tensor.FromArray(Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(), [.. t.Shape]);
}
