using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

/// <summary>Propositional logic on the generic engine: tautologies, De Morgan, contrapositive.</summary>
public sealed class PropTests
{
    private static readonly Language Logic = new(
        [new("&", 2), new("|", 2), new("~", 1), new("->", 2), new("true", 0), new("false", 0)],
        atom => char.IsLetter(atom[0]) && atom.All(char.IsLetterOrDigit) ? new ENode("var", atom) : null);

    private static readonly Rewrite<NoData>[] Rules =
    [
        .. Rewrite<NoData>.Bidirectional(Logic, "def-imply", "(-> ?a ?b)", "(| (~ ?a) ?b)"),
        .. Rewrite<NoData>.Bidirectional(Logic, "de-morgan-and", "(~ (& ?a ?b))", "(| (~ ?a) (~ ?b))"),
        .. Rewrite<NoData>.Bidirectional(Logic, "de-morgan-or", "(~ (| ?a ?b))", "(& (~ ?a) (~ ?b))"),
        Rule("double-neg", "(~ (~ ?a))", "?a"),
        Rule("comm-or", "(| ?a ?b)", "(| ?b ?a)"),
        Rule("comm-and", "(& ?a ?b)", "(& ?b ?a)"),
        Rule("assoc-or", "(| ?a (| ?b ?c))", "(| (| ?a ?b) ?c)"),
        Rule("assoc-and", "(& ?a (& ?b ?c))", "(& (& ?a ?b) ?c)"),
        Rule("excluded-middle", "(| ?a (~ ?a))", "true"),
        Rule("or-true", "(| ?a true)", "true"),
        Rule("or-false", "(| ?a false)", "?a"),
        Rule("and-true", "(& ?a true)", "?a"),
        Rule("not-true", "(~ true)", "false"),
        Rule("not-false", "(~ false)", "true"),
    ];

    private static Rewrite<NoData> Rule(string name, string left, string right) =>
        Rewrite<NoData>.Parse(Logic, name, left, right);

    private static (Runner<NoData> Runner, bool Proved) Prove(string start, string goal)
    {
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Logic);
        var a = egraph.Add(start);
        var b = egraph.Add(goal);
        var runner = new Runner<NoData>(egraph) { NodeLimit = 5_000, IterationLimit = 20 }.StopWhenEquivalent(a, b);
        runner.Run(Rules);
        return (runner, egraph.AreEquivalent(Term.Parse(Logic, start), Term.Parse(Logic, goal)));
    }

    [Theory]
    [InlineData("(-> a b)", "(-> (~ b) (~ a))")]
    [InlineData("(~ (& a b))", "(| (~ a) (~ b))")]
    [InlineData("(~ (| (& a b) c))", "(& (| (~ a) (~ b)) (~ c))")]
    [InlineData("(-> a a)", "true")]
    [InlineData("(| (~ (& a b)) b)", "true")]
    [InlineData("(& (-> a false) true)", "(~ a)")]
    public void Proves_tautology_style_equalities(string start, string goal)
    {
        var (runner, proved) = Prove(start, goal);

        Assert.True(proved, $"stopped by {runner.StopReason}");
        Assert.Equal(StopReason.Hook, runner.StopReason);
        Assert.StartsWith("proved", runner.StopMessage);
    }

    [Fact]
    public void Implication_is_not_its_converse()
    {
        var (runner, proved) = Prove("(-> a b)", "(-> b a)");

        Assert.False(proved);
        Assert.Equal(StopReason.Saturated, runner.StopReason);
    }

    [Fact]
    public void A_variable_is_not_a_tautology()
    {
        var (runner, proved) = Prove("(| a b)", "true");

        Assert.False(proved);
        Assert.NotEqual(StopReason.Hook, runner.StopReason);
    }
}
