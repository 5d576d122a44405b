using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

/// <summary>Sums of symbols under commutativity and associativity: the classic e-graph blow-up.</summary>
internal static class SumLanguage
{
    public static readonly Language Language = new(
        [new("+", 2)],
        atom => char.IsLetter(atom[0]) ? new ENode("sym", atom) : null);

    public static readonly Rewrite<NoData> Comm = Rewrite<NoData>.Parse(Language, "comm", "(+ ?a ?b)", "(+ ?b ?a)");

    public static readonly Rewrite<NoData> Assoc =
        Rewrite<NoData>.Parse(Language, "assoc", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)");

    public static readonly Rewrite<NoData>[] Rules = [Comm, Assoc];

    /// <summary>(+ a (+ b (+ c ... ))) over the first <paramref name="count"/> letters.</summary>
    public static string Sum(int count)
    {
        var letters = Enumerable.Range(0, count).Select(i => ((char)('a' + i)).ToString()).ToArray();
        return letters.SkipLast(1).Reverse().Aggregate(letters[^1], (acc, x) => $"(+ {x} {acc})");
    }

    public static EGraph<NoData> NewEGraph(int symbols)
    {
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Language);
        egraph.Add(Sum(symbols));
        return egraph;
    }
}
