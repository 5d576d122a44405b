using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Memory;
using DyCompile.Passes.Partition;

namespace DyCompile.Passes.Tests.Partition;

/// <summary>Fusion groups and buffer reuse on the segments the partition produces.</summary>
public class FusionAndMemoryTests
{
    private const string Chain = """
        program @chain(%x: tensor<f32, [4, 8]>) -> (tensor<f32, [4, 8]>, tensor<f32, []>) {
          weight @w : tensor<f32, [8, 8]>
          weight @b : tensor<f32, [8]>
        ^entry(%x: tensor<f32, [4, 8]>):
          %m = matmul(%x, @w)
          %a = add(%m, %x)
          %r = relu(%a)
          %s = softmax(%r) {dim = -1}
          %e = exp(%s)
          %t = tanh(%e)
          %u = sub(%t, %s)
          %l = linear(%u, @w, @b)
          %q = mul(%l, %l)
          %total = sum(%q) {dims = [], keepdim = false}
          return %q, %total
        }
        """;

    private static Graph Segment() => Partitioner.Partition(IRProgram.Parse(Chain)).Segments.Single().Graph;

    [Fact]
    public void ElementwiseChainsFuseAndFollowTheirProducer()
    {
        var steps = FusionPlanner.Plan(Segment());
        var described = steps.Select(s => s switch
        {
            ElementwiseLoop l => $"loop({string.Join(" ", l.Nodes.Select(n => n.Op))})" + (l.EpilogueOf is { } p ? $"@{p.Op}" : ""),
            NodeStep n => n.Node.Op,
            _ => "?",
        });
        Assert.Equal(["matmul", "loop(add relu)@matmul", "softmax", "loop(exp tanh sub)", "linear", "mul", "sum"], described);
        var loop = steps.OfType<ElementwiseLoop>().First();
        Assert.Single(loop.Outputs); // %a stays in a register
    }

    [Fact]
    public void BuffersAreReusedOnceTheirValuesDie()
    {
        var graph = Segment();
        var steps = FusionPlanner.Plan(graph);
        var outputs = graph.Outputs.ToHashSet();
        var plan = MemoryPlanner.Plan(steps, v => v.Type is TensorType { IsStatic: true } && !outputs.Contains(v));
        // matmul, the add/relu loop (in place on the matmul result), softmax, the exp/tanh/sub loop,
        // linear: five [4, 8] values, never more than two alive at once.
        Assert.Equal(2, plan.Buffers.Count(b => b.Shape.SequenceEqual([4, 8])));
        var byName = plan.BufferOf.ToDictionary(p => p.Key.Name, p => p.Value);
        Assert.Equal(byName["m"], byName["r"]);
        Assert.NotEqual(byName["r"], byName["s"]);
        var sumStep = steps.OfType<NodeStep>().Single(s => s.Node.Op == "sum");
        Assert.DoesNotContain(sumStep.Node.Result, plan.BufferOf.Keys); // a segment output is written by the caller's buffer
    }
}
