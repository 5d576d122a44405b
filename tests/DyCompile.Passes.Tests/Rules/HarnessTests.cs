using DyCompile.IR;
using DyCompile.Passes.EGraph;
using DyCompile.Passes.Rules;
using FsCheck;
using FsCheck.Fluent;

namespace DyCompile.Passes.Tests.Rules;

/// <summary>The soundness harness and the applier's type check catch what they are meant to catch.</summary>
public sealed class HarnessTests
{
    private static readonly RuleCase ReluCase = new(r =>
    {
        var g = new GraphBuilder("lhs");
        var x = g.Input("x", IRType.F32(Shapes.RandomShape(r, 1, 3)));
        return g.Build(g.Relu(x));
    });

    [Fact]
    public void The_soundness_property_fails_for_an_unsound_rule()
    {
        var unsound = TensorRule.Parse("relu-is-abs", RuleKind.Exact, "(relu ?x)", m => Rhs.Call("abs", m["?x"]));
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), (int seed) => RuleSoundnessTests.CheckInstance(unsound, ReluCase, seed));
        var e = Assert.ThrowsAny<Exception>(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(30).WithQuietOnSuccess(true), property));
        Assert.Contains("relu-is-abs", e.Message);
    }

    [Fact]
    public void The_soundness_property_fails_for_a_rule_off_by_rounding_claimed_exact()
    {
        // x + 0 → x is exact; x·1.0000001 → x is not, and an Exact claim must be caught.
        var almost = TensorRule.Parse("scale-is-identity", RuleKind.Exact, "(relu ?x)", m => Rhs.Call("relu", Rhs.Call("mul", m["?x"], Rhs.Scalar(1.0001f))));
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), (int seed) => RuleSoundnessTests.CheckInstance(almost, ReluCase, seed));
        Assert.ThrowsAny<Exception>(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(30).WithQuietOnSuccess(true), property));
    }

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
