using DyCompile.IR;
using DyCompile.Passes.EGraph;
using DyCompile.Passes.Rules;

namespace DyCompile.Passes.Tests.Rules;

/// <summary>The applier's type check and constant folding, which every rule relies on.</summary>
public sealed class ApplierTests
{
    [Fact]
    public void A_rule_that_would_change_a_type_is_rejected_and_leaves_the_egraph_alone()
    {
        var g = new GraphBuilder("g");
        var x = g.Input("x", IRType.F32(2, 3));
        var graph = g.Build(g.Relu(x));
        // relu(x) → sum(x): a [2, 3] value would become a scalar.
        var bad = TensorRule.Parse("relu-to-sum", RuleKind.Exact, "(relu ?x)",
            m => Rhs.Call("sum", new Attrs { { "dims", Array.Empty<int>() }, { "keepdim", false } }, m["?x"]));
        var encoding = GraphEncoding.Encode(graph, new TensorAnalysis());
        var nodesBefore = encoding.EGraph.NodeCount;
        var runner = new Runner<TensorData>(encoding.EGraph);
        runner.Run([bad.ToRewrite()]);
        Assert.Equal(StopReason.Saturated, runner.StopReason);
        Assert.Equal(nodesBefore, encoding.EGraph.NodeCount);
        Assert.Equal(1, bad.Rejected);
        Assert.Equal(IRType.F32(2, 3), encoding.EGraph[encoding.Outputs[0]].Data.Type);
    }

    [Fact]
    public void Constant_folding_evaluates_ops_on_constants_with_the_reference_kernels()
    {
        var g = new GraphBuilder("g");
        var a = g.Const(IRType.F32(2), [1.5, -2]);
        var b = g.Const(IRType.F32(2), [4, 0.25]);
        var graph = g.Build(g.Relu(g.Mul(a, b)));
        var encoding = GraphEncoding.Encode(graph, new TensorAnalysis());
        var data = encoding.EGraph[encoding.Outputs[0]].Data;
        Assert.Equal(new[] { 6.0, 0.0 }, data.Constant!.Payload.Values.ToArray());
        Assert.True(data.WeightOnly);
        Assert.Contains(encoding.EGraph[encoding.Outputs[0]].Nodes, n => n.Op == TensorLanguage.ConstOp);
    }
}
