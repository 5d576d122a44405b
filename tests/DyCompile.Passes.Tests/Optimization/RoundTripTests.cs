using DyCompile.IR;
using DyCompile.Passes.Optimization;
using DyCompile.Passes.Rules;
using DyCompile.Runtime;

namespace DyCompile.Passes.Tests.Optimization;

/// <summary>Any well-typed graph goes into the e-graph and comes back computing the same outputs.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public void Multi_result_ops_constants_and_host_scalars_survive_encoding_and_optimization()
    {
        var g = new GraphBuilder("mixed");
        var x = g.Input("x", IRType.F32(2, 6));
        var parts = g.Ops("split", [x], new Attrs { { "sizes", new[] { 2, 4 } }, { "dim", 1 } });
        var top = g.Ops("topk", [parts[1]], new Attrs { { "k", 2 }, { "dim", 1 }, { "largest", true } });
        var shifted = g.Add(parts[0], g.Const(IRType.F32(2), [0.5, -1]));
        var total = g.Item(g.Sum(top[0], []));
        var graph = g.Build(shifted, top[1], total, x);

        var input = Tensor.FromArray([3f, -1f, 4f, 1f, -5f, 9f, 2f, 6f, -5f, 3f, 5f, -8f], 2, 6);
        var expected = new Interpreter().Run(graph, [input]);

        var encoding = GraphEncoding.Encode(graph, new TensorAnalysis());
        var decoded = encoding.Decode(id => encoding.EGraph[id].Nodes[0]);
        var optimized = GraphOptimizer.Optimize(graph).Graph;
        foreach (var candidate in new[] { decoded, optimized })
        {
            var actual = new Interpreter().Run(candidate, [input]);
            Assert.Equal(((Tensor)expected[0]).ToFloatArray(), ((Tensor)actual[0]).ToFloatArray());
            Assert.Equal(((Tensor)expected[1]).Longs.ToArray(), ((Tensor)actual[1]).Longs.ToArray());
            Assert.Equal((float)expected[2], (float)actual[2]);
            Assert.Same(input, actual[3]);
        }
    }
}

/// <summary>Extraction pays a shared value once and writes it once.</summary>
public sealed class SharingTests
{
    [Fact]
    public void A_value_used_twice_is_computed_once()
    {
        var g = new GraphBuilder("shared");
        Value a = g.Input("a", IRType.F32(4, 4)), b = g.Input("b", IRType.F32(4, 4));
        var product = g.MatMul(a, b);
        var graph = g.Build(g.Relu(g.Relu(product)), g.Tanh(product));
        var result = GraphOptimizer.Optimize(graph);

        Assert.Equal(["matmul", "relu", "tanh"], result.Graph.Nodes.Select(n => n.Op).Order(StringComparer.Ordinal));
        var matmul = result.Graph.Nodes.Single(n => n.Op == "matmul").Result;
        Assert.All(result.Graph.Nodes.Where(n => n.Op != "matmul"), n => Assert.Same(matmul, n.Operands[0]));
    }
}

/// <summary>When the self-check can and cannot run.</summary>
public sealed class SelfCheckCoverageTests
{
    [Fact]
    public void The_report_says_the_self_check_passed()
    {
        var g = new GraphBuilder("g");
        var x = g.Input("x", IRType.F32(3));
        var report = GraphOptimizer.Optimize(g.Build(g.Relu(g.Relu(x))), new OptimizerOptions { SelfCheck = true }).Report;
        Assert.True(report.SelfChecked);
        Assert.False(GraphOptimizer.Optimize(g.Build(g.Relu(g.Relu(x))), new OptimizerOptions { SelfCheck = false }).Report.SelfChecked);
    }

    [Fact]
    public void A_graph_the_sampled_inputs_cannot_run_is_optimized_without_a_check()
    {
        // Sampled indices are 0 or 1; the table has one row, so index 1 is out of range.
        var g = new GraphBuilder("lookup");
        var table = g.Input("table", IRType.F32(1, 4));
        var index = g.Input("index", IRType.Tensor(DType.Int64, 2));
        var graph = g.Build(g.Relu(g.Relu(g.Op("index_select", [table, index], new Attrs { { "dim", 0 } }))));
        Assert.Throws<InterpreterException>(() => new DyCompile.Passes.Hashing.FunctionalHasher().Hash(graph));

        var result = GraphOptimizer.Optimize(graph, new OptimizerOptions { SelfCheck = true });
        Assert.False(result.Report.SelfChecked);
        Assert.Equal(["index_select", "relu"], result.Graph.Nodes.Select(n => n.Op));
    }
}
