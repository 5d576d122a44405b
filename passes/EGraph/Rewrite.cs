using System.Text.RegularExpressions;

namespace DyCompile.Passes.EGraph;

/// <summary>A side condition of a rewrite, checked per match before applying.</summary>
public delegate bool Condition<TData>(EGraph<TData> egraph, EClassId eclass, Subst subst);

/// <summary>
/// A named rewrite rule: a searcher (left side), an applier (right side) and optional conditions.
/// Building a rule whose right side reads a variable the left side does not bind fails at once.
/// </summary>
/// <example><code>
/// var cancel = Rewrite&lt;double?&gt;.Parse(math, "cancel-div", "(/ ?a ?a)", "1",
///     (g, _, s) => g[s["?a"]].Data is { } v &amp;&amp; v != 0);
/// var comm = Rewrite&lt;NoData&gt;.Bidirectional(math, "comm-add", "(+ ?a ?b)", "(+ ?b ?a)");
/// </code></example>
public sealed partial class Rewrite<TData>
{
    public Rewrite(string name, ISearcher searcher, IApplier applier, params Condition<TData>[] conditions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(searcher);
        ArgumentNullException.ThrowIfNull(applier);
        var unbound = applier.Vars.Where(v => !searcher.Vars.Contains(v)).ToArray();
        if (unbound.Length > 0)
        {
            throw new ArgumentException(
                $"rule '{name}': the right side uses {string.Join(", ", unbound)}, which the left side does not bind");
        }
        Name = name;
        Searcher = searcher;
        Applier = applier;
        Conditions = conditions;
    }

    public string Name { get; }

    public ISearcher Searcher { get; }

    public IApplier Applier { get; }

    public IReadOnlyList<Condition<TData>> Conditions { get; }

    /// <summary>
    /// Parses both sides: plain patterns, or multi-patterns (<c>?x = p, ?y = q</c>) when a side
    /// starts with <c>?variable =</c>.
    /// </summary>
    public static Rewrite<TData> Parse(
        Language language, string name, string left, string right, params Condition<TData>[] conditions) =>
        new(name, ParseSide(language, left), ParseSide(language, right), conditions);

    /// <summary>The rule and its reverse (named <c>name-rev</c>); both directions must bind their variables.</summary>
    public static Rewrite<TData>[] Bidirectional(Language language, string name, string left, string right) =>
        [Parse(language, name, left, right), Parse(language, name + "-rev", right, left)];

    private static PatternSide ParseSide(Language language, string text) =>
        MultiPatternStart().IsMatch(text)
            ? new PatternSide(MultiPattern.Parse(language, text))
            : new PatternSide(Pattern.Parse(language, text));

    // A multi-pattern starts "?var =" (an '=' inside an atom, e.g. an attribute, does not count).
    [GeneratedRegex(@"^\s*\?[^\s()=]+\s*=")]
    private static partial Regex MultiPatternStart();

    /// <summary>Matches of the left side, at most <paramref name="limit"/> substitutions.</summary>
    public IReadOnlyList<SearchMatches> Search(EGraph<TData> egraph, int limit = int.MaxValue) =>
        Searcher.Search(egraph, limit);

    /// <summary>Applies one match if every condition holds; true when the e-graph changed.</summary>
    public bool ApplyOne(EGraph<TData> egraph, EClassId eclass, Subst subst)
    {
        foreach (var condition in Conditions)
        {
            if (!condition(egraph, eclass, subst))
            {
                return false;
            }
        }
        return Applier.Apply(egraph, eclass, subst);
    }

    /// <summary>Applies all matches; returns how many changed the e-graph.</summary>
    public int Apply(EGraph<TData> egraph, IReadOnlyList<SearchMatches> matches)
    {
        var applied = 0;
        foreach (var match in matches)
        {
            foreach (var subst in match.Substs)
            {
                if (ApplyOne(egraph, match.EClass, subst))
                {
                    applied++;
                }
            }
        }
        return applied;
    }

    public override string ToString() => $"{Name}: {Searcher} => {Applier}";

    /// <summary>Either kind of pattern, as both searcher and applier.</summary>
    private sealed class PatternSide : ISearcher, IApplier
    {
        private readonly ISearcher _searcher;
        private readonly IApplier _applier;

        public PatternSide(Pattern pattern)
        {
            _searcher = pattern;
            _applier = pattern;
        }

        public PatternSide(MultiPattern pattern)
        {
            _searcher = pattern;
            _applier = pattern;
        }

        IReadOnlyCollection<Var> ISearcher.Vars => _searcher.Vars;

        IReadOnlyCollection<Var> IApplier.Vars => _applier.Vars;

        public int MaxNodesAdded => _applier.MaxNodesAdded;

        public IReadOnlyList<SearchMatches> Search<T>(EGraph<T> egraph, int limit = int.MaxValue) =>
            _searcher.Search(egraph, limit);

        public bool Apply<T>(EGraph<T> egraph, EClassId eclass, Subst subst) => _applier.Apply(egraph, eclass, subst);

        public override string ToString() => _searcher.ToString() ?? "";
    }
}
