namespace DyCompile.Passes.EGraph;

/// <summary>
/// Several patterns that must match at once, written <c>?x = (f ?a), ?y = (g ?a)</c>: each entry
/// binds its variable to the class where its pattern matches, and shared variables (here
/// <c>?a</c>) must see the same class. As an applier, each entry is instantiated and unioned with
/// its variable's class, or binds the variable when the match did not.
/// </summary>
public sealed class MultiPattern : ISearcher, IApplier
{
    private readonly Machine _machine;
    private readonly Instantiator[] _instantiators;
    private readonly Var[] _searchVars;
    private readonly Var[] _applyVars;

    public MultiPattern(IReadOnlyList<(Var Var, PatternNode Pattern)> entries)
    {
        if (entries.Count == 0)
        {
            throw new ArgumentException("a multi-pattern needs at least one entry", nameof(entries));
        }
        Entries = entries;
        _machine = Machine.Compile(entries.Select(e => ((Var?)e.Var, e.Pattern)).ToArray());
        _searchVars = entries.SelectMany(e => e.Pattern.EnumerateVars().Prepend(e.Var)).Distinct().ToArray();
        var defined = new HashSet<Var>();
        var read = new List<Var>();
        foreach (var (v, pattern) in entries)
        {
            read.AddRange(pattern.EnumerateVars().Where(x => !defined.Contains(x)));
            defined.Add(v);
        }
        _applyVars = read.Distinct().ToArray();
        MaxNodesAdded = entries.Sum(e => e.Pattern.OperatorCount);
        _instantiators = entries.Select(e => new Instantiator(e.Pattern)).ToArray();
    }

    public IReadOnlyList<(Var Var, PatternNode Pattern)> Entries { get; }

    IReadOnlyCollection<Var> ISearcher.Vars => _searchVars;

    IReadOnlyCollection<Var> IApplier.Vars => _applyVars;

    public int MaxNodesAdded { get; }

    /// <summary>
    /// Parses <c>?x = pattern, ?y = pattern, ...</c> (positions refer to the whole text). As in
    /// egg, <c>?x = p = q</c> is short for <c>?x = p, ?x = q</c>: both must match at ?x's class.
    /// An '=' counts as a separator only as a token of its own, so atoms may contain one.
    /// </summary>
    public static MultiPattern Parse(Language language, string text)
    {
        var entries = new List<(Var, PatternNode)>();
        var start = 0;
        foreach (var part in SplitTopLevel(text))
        {
            var equals = part.IndexOf('=');
            var name = (equals < 0 ? "" : part[..equals]).Trim();
            if (equals < 0 || !name.StartsWith('?') || name.Length < 2 || name.Any(char.IsWhiteSpace))
            {
                throw new SExprSyntaxException("expected '?variable = pattern'", start + LeadingSpace(part));
            }
            var patternStart = equals + 1;
            foreach (var separator in StandaloneEquals(part, patternStart).Append(part.Length))
            {
                var patternText = part[patternStart..separator];
                try
                {
                    entries.Add((new Var(name), PatternNode.FromSExpr(language, SExpr.Parse(patternText))));
                }
                catch (SExprSyntaxException e)
                {
                    throw new SExprSyntaxException(e.Problem, start + patternStart + e.Position);
                }
                patternStart = separator + 1;
            }
            start += part.Length + 1;
        }
        return new MultiPattern(entries);
    }

    /// <summary>Offsets of the '=' tokens at parenthesis depth 0 from <paramref name="from"/> on.</summary>
    private static IEnumerable<int> StandaloneEquals(string part, int from)
    {
        var depth = 0;
        for (var i = from; i < part.Length; i++)
        {
            depth += part[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (part[i] == '=' && depth == 0 && IsBoundary(part, i - 1) && IsBoundary(part, i + 1))
            {
                yield return i;
            }
        }
    }

    private static bool IsBoundary(string s, int i) =>
        i < 0 || i >= s.Length || char.IsWhiteSpace(s[i]) || s[i] is '(' or ')';

    private static int LeadingSpace(string s) => s.Length - s.TrimStart().Length;

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    public IReadOnlyList<SearchMatches> Search<TData>(EGraph<TData> egraph, int limit = int.MaxValue)
    {
        egraph.EnsureClean();
        var first = Entries[0].Var;
        return _machine.Run(egraph, default, limit)
            .GroupBy(s => s[first])
            .Select(g => new SearchMatches(g.Key, g.ToArray()))
            .ToArray();
    }

    public bool Apply<TData>(EGraph<TData> egraph, EClassId eclass, Subst subst)
    {
        var changed = false;
        var i = 0;
        foreach (var (v, _) in Entries)
        {
            var id = _instantiators[i++].Instantiate(egraph, subst);
            if (subst.TryGet(v, out var bound))
            {
                changed |= egraph.Union(bound, id);
            }
            else
            {
                subst = subst.With(v, id);
            }
        }
        return changed;
    }

    public override string ToString() => string.Join(", ", Entries.Select(e => $"{e.Var} = {e.Pattern}"));
}
