using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Optimization;
using DyCompile.Passes.Rules;
using DyCompile.Runtime;

namespace DyCompile.Passes.Tests.Optimization;

/// <summary>A graph as deep as a long method (one op per statement) is encoded, optimized and
/// written back on a thread-pool thread (1.5 MB of stack) without overflowing it, and still
/// computes what it did.</summary>
public sealed class DeepGraphTests
{
    private const int Depth = 16_000;

    /// <summary><c>x = x + 1</c>, then <c>x = relu(x)</c>, alternately, <paramref name="depth"/> ops in all.</summary>
    private static Graph Chain(int depth)
    {
        var g = new GraphBuilder("deep");
        var x = g.Input("x", IRType.F32(4));
        var one = g.Const(IRType.F32(4), [1, 1, 1, 1]);
        for (var i = 1; i < depth; i++) x = i % 2 == 0 ? g.Relu(x) : g.Add(x, one);
        return g.Build(x);
    }

    private static readonly Tensor Input = Tensor.FromArray([1f, -2f, 3f, -4000f], 4);

    private static float[] RunGraph(Graph graph) => ((Tensor)new Interpreter().Run(graph, [Input])[0]).ToFloatArray();

    [Fact]
    public void Depth_is_the_longest_path()
    {
        Assert.Equal(Depth, GraphDepth.Of(Chain(Depth)));
        var g = new GraphBuilder("wide");
        var x = g.Input("x", IRType.F32(4));
        Assert.Equal(2, GraphDepth.Of(g.Build(g.Add(g.Relu(x), g.Relu(x)))));
    }

    [Fact]
    public async Task A_deep_graph_is_written_back_from_its_e_graph_on_a_thread_pool_thread()
    {
        var graph = Chain(Depth);
        var written = await Task.Run(() =>
        {
            var encoding = GraphEncoding.Encode(graph, new TensorAnalysis());
            return encoding.Decode(id => encoding.EGraph[id].Nodes[0]);
        });
        Assert.Equal(graph.Nodes.Length, written.Nodes.Length);
        Assert.Equal(RunGraph(graph), RunGraph(written));
    }

    [Fact]
    public async Task A_deep_graph_is_optimized_on_a_thread_pool_thread()
    {
        var graph = Chain(Depth);
        var result = await Task.Run(() => GraphOptimizer.Optimize(graph, new OptimizerOptions { SelfCheck = true }));
        Assert.Null(result.Report.Skipped);
        Assert.True(result.Report.CostAfter <= result.Report.CostBefore);
        Assert.Equal(RunGraph(graph), RunGraph(result.Graph));
    }

    [Fact]
    public void A_long_elementwise_run_is_cut_into_loops_the_CSharp_compiler_can_bind()
    {
        var graph = Chain(Depth);
        var steps = FusionPlanner.Plan(graph);
        var loops = steps.OfType<ElementwiseLoop>().ToList();
        Assert.All(loops, l => Assert.InRange(l.Nodes.Count, 2, FusionPlanner.MaxFusedNodes));
        // Every op is in exactly one step, in the graph's order.
        var planned = steps.SelectMany(s => s is ElementwiseLoop l ? l.Nodes : s is NodeStep n ? [n.Node] : []).ToList();
        Assert.Equal(graph.Nodes.ToList(), planned);
    }

    [Fact]
    public void A_graph_deeper_than_the_limit_is_returned_as_it_is_with_the_reason()
    {
        var graph = Chain(600);
        var result = GraphOptimizer.Optimize(graph, new OptimizerOptions { DepthLimit = 500 });
        Assert.Same(graph, result.Graph);
        Assert.Contains("OptimizerOptions.DepthLimit", result.Report.Skipped);
        Assert.Contains("not optimized", result.Report.ToString());
    }
}
