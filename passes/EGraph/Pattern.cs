namespace DyCompile.Passes.EGraph;

/// <summary>
/// A pattern such as <c>(+ ?a (* ?b 0))</c>: a searcher (it is compiled once into a
/// <see cref="Machine"/> program for e-matching) and an applier (it is instantiated with a
/// match's substitution and unioned with the matched class).
/// </summary>
/// <example><code>
/// var p = Pattern.Parse(language, "(* ?a 1)");
/// foreach (var m in p.Search(egraph)) { var a = m.Substs[0]["?a"]; }
/// </code></example>
public sealed class Pattern : ISearcher, IApplier
{
    private readonly Machine _machine;
    private readonly Instantiator _instantiator;

    public Pattern(PatternNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = root;
        Vars = root.EnumerateVars().Distinct().ToArray();
        _machine = Machine.Compile([(null, root)]);
        _instantiator = new Instantiator(root);
    }

    public PatternNode Root { get; }

    public IReadOnlyCollection<Var> Vars { get; }

    /// <summary>The operator nodes of the pattern: the most e-nodes one instantiation adds.</summary>
    public int MaxNodesAdded => Root.OperatorCount;

    /// <summary>Parses a pattern; atoms starting with <c>?</c> are variables.</summary>
    /// <exception cref="SExprSyntaxException">Malformed text; the message names the position.</exception>
    public static Pattern Parse(Language language, string text) =>
        new(PatternNode.FromSExpr(language, SExpr.Parse(text)));

    public IReadOnlyList<SearchMatches> Search<TData>(EGraph<TData> egraph, int limit = int.MaxValue)
    {
        egraph.EnsureClean();
        var result = new List<SearchMatches>();
        var bindings = _machine.NewBindings(egraph);
        var remaining = limit;
        if (Root is PatternNode.Node)
        {
            // Straight from the index: every node with the root's head, grouped by class.
            var entries = egraph.NodesWithHead(_machine.RootHead(egraph));
            var i = 0;
            while (i < entries.Length && remaining > 0)
            {
                var eclass = (int)(entries[i] >> 32);
                var first = bindings.Count;
                for (; i < entries.Length && (int)(entries[i] >> 32) == eclass; i++)
                {
                    var found = bindings.Count - first;
                    if (found < remaining)
                    {
                        _machine.RunFrom(egraph, eclass, (int)entries[i], remaining - found, bindings);
                    }
                }
                if (bindings.Count > first)
                {
                    result.Add(new SearchMatches(new EClassId(eclass), bindings.MatchesSince(first)));
                    remaining -= bindings.Count - first;
                }
            }
        }
        else
        {
            foreach (var eclass in egraph.ClassIds())
            {
                if (remaining <= 0)
                {
                    break;
                }
                remaining -= Collect(egraph, eclass, remaining, bindings, result);
            }
        }
        return result;
    }

    private int Collect<TData>(EGraph<TData> egraph, int eclass, int limit, Machine.Bindings bindings, List<SearchMatches> result)
    {
        var first = bindings.Count;
        _machine.Run(egraph, eclass, limit, bindings);
        if (bindings.Count > first)
        {
            result.Add(new SearchMatches(new EClassId(eclass), bindings.MatchesSince(first)));
        }
        return bindings.Count - first;
    }

    /// <summary>The matches rooted at one class.</summary>
    public IReadOnlyList<Subst> SearchClass<TData>(EGraph<TData> egraph, EClassId eclass)
    {
        egraph.EnsureClean();
        return _machine.Run(egraph, egraph.Find(eclass), int.MaxValue);
    }

    /// <summary>Adds the pattern with its variables replaced by <paramref name="subst"/>; returns its class.</summary>
    public EClassId Instantiate<TData>(EGraph<TData> egraph, Subst subst) => _instantiator.Instantiate(egraph, subst);

    /// <summary>Unions the instance with the matched class (the instance first, as egg does: it wins ties for root).</summary>
    public bool Apply<TData>(EGraph<TData> egraph, EClassId eclass, Subst subst) =>
        egraph.Union(Instantiate(egraph, subst), eclass);

    public override string ToString() => Root.ToString();
}
