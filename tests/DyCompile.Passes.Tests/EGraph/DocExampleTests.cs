using System.Globalization;
using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

/// <summary>The example of docs/egraph.md, kept running.</summary>
public sealed class DocExampleTests
{
    [Fact]
    public void The_documented_example_simplifies_to_a()
    {
        var math = new Language(
            [new("+", 2), new("*", 2)],
            atom => double.TryParse(atom, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                ? new ENode("num", n)
                : new ENode("sym", atom));

        Rewrite<NoData>[] rules =
        [
            Rewrite<NoData>.Parse(math, "comm-add", "(+ ?a ?b)", "(+ ?b ?a)"),
            Rewrite<NoData>.Parse(math, "comm-mul", "(* ?a ?b)", "(* ?b ?a)"),
            Rewrite<NoData>.Parse(math, "zero-add", "(+ ?a 0)", "?a"),
            Rewrite<NoData>.Parse(math, "one-mul", "(* ?a 1)", "?a"),
        ];

        var egraph = new EGraph<NoData>(NoAnalysis.Instance, math);
        var root = egraph.Add("(+ 0 (* 1 a))");
        var runner = new Runner<NoData>(egraph) { NodeLimit = 1_000, IterationLimit = 10 };
        var reason = runner.Run(rules);

        var (cost, best) = new TreeExtractor<NoData>(egraph, CostFunctions.AstSize).FindBest(root);

        Assert.Equal("a (cost 1, Saturated)", $"{best} (cost {cost}, {reason})");
    }
}
