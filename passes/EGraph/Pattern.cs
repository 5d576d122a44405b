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

    public Pattern(PatternNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = root;
        Vars = root.EnumerateVars().Distinct().ToArray();
        _machine = Machine.Compile([(null, root)]);
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
        IEnumerable<EClassId> candidates = Root is PatternNode.Node node
            ? egraph.ClassesWithOp(node.Op)
            : egraph.Classes.Select(c => c.Id);
        var result = new List<SearchMatches>();
        var remaining = limit;
        foreach (var eclass in candidates)
        {
            if (remaining <= 0)
            {
                break;
            }
            var substs = _machine.Run(egraph, eclass, remaining);
            if (substs.Count > 0)
            {
                result.Add(new SearchMatches(eclass, substs));
                remaining -= substs.Count;
            }
        }
        return result;
    }

    /// <summary>The matches rooted at one class.</summary>
    public IReadOnlyList<Subst> SearchClass<TData>(EGraph<TData> egraph, EClassId eclass)
    {
        egraph.EnsureClean();
        return _machine.Run(egraph, egraph.Find(eclass), int.MaxValue);
    }

    /// <summary>Adds the pattern with its variables replaced by <paramref name="subst"/>; returns its class.</summary>
    public EClassId Instantiate<TData>(EGraph<TData> egraph, Subst subst) => Instantiate(egraph, Root, subst);

    internal static EClassId Instantiate<TData>(EGraph<TData> egraph, PatternNode node, Subst subst)
    {
        switch (node)
        {
            case PatternNode.Variable v:
                return subst[v.Var];
            case PatternNode.Node n:
                var children = new EClassId[n.Children.Count];
                for (var i = 0; i < children.Length; i++)
                {
                    children[i] = Instantiate(egraph, n.Children[i], subst);
                }
                return egraph.Add(new ENode(n.Op, n.Payload, children));
            default:
                throw new InvalidOperationException("unknown pattern node");
        }
    }

    public bool Apply<TData>(EGraph<TData> egraph, EClassId eclass, Subst subst) =>
        egraph.Union(eclass, Instantiate(egraph, subst));

    public override string ToString() => Root.ToString();
}
