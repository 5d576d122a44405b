using DyCompile.IR;
using DyCompile.Passes.Optimization;

namespace DyCompile.Passes.Tests.Optimization;

/// <summary>Whole networks: the optimizer stays within its limits, never raises the cost, and the self-check holds.</summary>
public sealed class LargerGraphTests
{
    [Fact]
    public void A_deep_mlp_with_redundant_work_is_simplified_and_stays_equivalent()
    {
        var g = new GraphBuilder("mlp");
        var x = g.Input("x", IRType.F32(4, 16));
        var h = x;
        for (var layer = 0; layer < 8; layer++)
        {
            var w = g.Weight($"w{layer}", IRType.F32(16, 16));
            var b = g.Weight($"b{layer}", IRType.F32(16));
            // x·W + b written as a matmul and an add, an identity transpose pair, and a doubled relu.
            var t = g.Op("transpose", [g.Op("transpose", [h], new Attrs { { "dim0", 0 }, { "dim1", 1 } })], new Attrs { { "dim0", 1 }, { "dim1", 0 } });
            h = g.Relu(g.Relu(g.Add(g.MatMul(t, w), b)));
        }
        var graph = g.Build(h);
        // Limits that do not depend on the machine's speed: the rewrites needed take two iterations.
        var result = GraphOptimizer.Optimize(graph, new OptimizerOptions { SelfCheck = true, IterationLimit = 4, TimeLimit = TimeSpan.FromMinutes(1) });

        var ops = result.Graph.Nodes.Select(n => n.Op).ToArray();
        Assert.Equal(0, ops.Count(o => o == "matmul" || o == "add"));
        Assert.Equal(8, ops.Count(o => o == "linear"));
        Assert.Equal(8, ops.Count(o => o == "relu"));
        Assert.True(result.Report.CostAfter < result.Report.CostBefore / 2, result.Report.ToString());
    }
}
