namespace DyCompile.Passes.EGraph;

/// <summary>
/// An e-graph in the style of egg: a union-find over e-class ids, a hashcons from canonical e-node
/// to e-class, and deferred rebuilding — <see cref="Union"/> only records what became stale and
/// <see cref="Rebuild"/> restores congruence once (the runner calls it once per iteration).
/// Searching needs a rebuilt (clean) e-graph.
/// </summary>
/// <example><code>
/// var g = new EGraph&lt;NoData&gt;(NoAnalysis.Instance, language);
/// var a = g.Add(Term.Parse(language, "(+ x y)"));
/// var b = g.Add(Term.Parse(language, "(+ y x)"));
/// g.Union(a, b);
/// g.Rebuild();
/// </code></example>
public sealed class EGraph<TData>
{
    private readonly UnionFind _unionFind = new();
    private readonly List<EClass<TData>?> _classes = [];
    private Dictionary<ENode, EClassId> _memo = [];
    private readonly Stack<(ENode Node, EClassId Class)> _pending = new();
    private readonly Stack<(ENode Node, EClassId Class)> _analysisPending = new();
    private readonly Dictionary<string, List<EClassId>> _classesByOp = new(StringComparer.Ordinal);
    private readonly Func<EClassId, EClassId> _find;
    private bool _indexStale;

    public EGraph(IAnalysis<TData> analysis, Language? language = null)
    {
        Analysis = analysis;
        Language = language;
        _find = _unionFind.Find;   // one delegate, not one per canonicalization
    }

    public IAnalysis<TData> Analysis { get; }

    /// <summary>The language used by the text overloads (<see cref="Add(string)"/>); optional.</summary>
    public Language? Language { get; }

    /// <summary>
    /// The number of e-nodes in the hashcons (egg's <c>total_size</c>): every distinct node ever
    /// added, less those merged into duplicates by rebuilding. The runner's node limit counts this.
    /// </summary>
    public int NodeCount => _memo.Count;

    public int TotalSize => _memo.Count + _staleDropped;

    private int _staleDropped;

    /// <summary>The number of e-classes.</summary>
    public int ClassCount { get; private set; }

    /// <summary>True when congruence holds and the search index is current.</summary>
    public bool IsClean => _pending.Count == 0 && _analysisPending.Count == 0 && !_indexStale;

    public IEnumerable<EClass<TData>> Classes
    {
        get
        {
            foreach (var eclass in _classes)
            {
                if (eclass is not null)
                {
                    yield return eclass;
                }
            }
        }
    }

    /// <summary>The class of <paramref name="id"/> (any id of the class).</summary>
    public EClass<TData> this[EClassId id] => _classes[Find(id).Value]!;

    public EClassId Find(EClassId id) => _unionFind.Find(id);

    /// <summary>The node with each child replaced by its canonical id.</summary>
    public ENode Canonicalize(ENode node) => node.MapChildren(_find);

    /// <summary>Adds a node (children must be ids of this e-graph) and returns its class.</summary>
    public EClassId Add(ENode node)
    {
        node = Canonicalize(node);
        if (_memo.TryGetValue(node, out var existing))
        {
            return Find(existing);
        }
        var id = _unionFind.MakeSet();
        var eclass = new EClass<TData>(id, default!);
        eclass.NodeList.Add(node);
        _classes.Add(eclass);
        foreach (var child in node.Children.Distinct())
        {
            this[child].Parents.Add((node, id));
        }
        _memo[node] = id;
        ClassCount++;
        _indexStale = true;
        eclass.Data = Analysis.Make(this, node);
        Analysis.Modify(this, id);
        return Find(id);
    }

    /// <summary>Adds every node of a tree and returns the class of its root.</summary>
    public EClassId Add(Term term)
    {
        var children = new EClassId[term.Children.Count];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = Add(term.Children[i]);
        }
        return Add(new ENode(term.Op, term.Payload, children));
    }

    /// <summary>Parses a term in <see cref="Language"/> and adds it.</summary>
    public EClassId Add(string term) =>
        Add(Term.Parse(Language ?? throw new InvalidOperationException("this e-graph has no language"), term));

    /// <summary>The class holding <paramref name="node"/>, or null.</summary>
    public EClassId? Lookup(ENode node) =>
        _memo.TryGetValue(Canonicalize(node), out var id) ? Find(id) : null;

    /// <summary>The class representing the whole tree, or null when some subterm is absent.</summary>
    public EClassId? Lookup(Term term)
    {
        var children = new EClassId[term.Children.Count];
        for (var i = 0; i < children.Length; i++)
        {
            if (Lookup(term.Children[i]) is not { } child)
            {
                return null;
            }
            children[i] = child;
        }
        return Lookup(new ENode(term.Op, term.Payload, children));
    }

    /// <summary>Whether two terms are both present and in one class (meaningful when clean).</summary>
    public bool AreEquivalent(Term a, Term b) =>
        Lookup(a) is { } x && Lookup(b) is { } y && x == y;

    /// <summary>
    /// Merges two classes; returns false when they already were one. Congruence is restored
    /// lazily by <see cref="Rebuild"/>.
    /// </summary>
    public bool Union(EClassId a, EClassId b)
    {
        var root = Find(a);
        var child = Find(b);
        if (root == child)
        {
            return false;
        }
        var rootClass = _classes[root.Value]!;
        var childClass = _classes[child.Value]!;
        // Keep the class with more parents as root: fewer parents need re-canonicalizing.
        if (rootClass.Parents.Count < childClass.Parents.Count)
        {
            (root, child) = (child, root);
            (rootClass, childClass) = (childClass, rootClass);
        }
        _unionFind.Union(root, child);
        foreach (var parent in childClass.Parents)
        {
            _pending.Push(parent);
        }
        var data = rootClass.Data;
        var merged = Analysis.Merge(ref data, childClass.Data);
        rootClass.Data = data;
        if (merged.IntoChanged)
        {
            foreach (var parent in rootClass.Parents)
            {
                _analysisPending.Push(parent);
            }
        }
        if (merged.FromChanged)
        {
            foreach (var parent in childClass.Parents)
            {
                _analysisPending.Push(parent);
            }
        }
        rootClass.NodeList.AddRange(childClass.NodeList);
        rootClass.Parents.AddRange(childClass.Parents);
        _classes[child.Value] = null;
        ClassCount--;
        _indexStale = true;
        Analysis.Modify(this, root);
        return true;
    }

    /// <summary>
    /// Restores the invariants after unions: congruence (equal canonical nodes share a class),
    /// a canonical hashcons, analysis data at its fixpoint, canonical duplicate-free class node
    /// lists, and the operator index used by e-matching. Returns the number of unions it did.
    /// </summary>
    public int Rebuild()
    {
        var unions = 0;
        while (_pending.Count > 0 || _analysisPending.Count > 0)
        {
            while (_pending.TryPop(out var entry))
            {
                var node = Canonicalize(entry.Node);
                if (_memo.TryGetValue(node, out var other))
                {
                    if (Union(other, entry.Class))
                    {
                        unions++;
                    }
                }
                else
                {
                    _memo[node] = entry.Class;
                }
            }
            while (_analysisPending.TryPop(out var entry))
            {
                var id = Find(entry.Class);
                var eclass = _classes[id.Value]!;
                var data = eclass.Data;
                var merged = Analysis.Merge(ref data, Analysis.Make(this, Canonicalize(entry.Node)));
                eclass.Data = data;
                if (merged.IntoChanged)
                {
                    foreach (var parent in eclass.Parents)
                    {
                        _analysisPending.Push(parent);
                    }
                    Analysis.Modify(this, id);
                }
            }
        }
        RebuildClasses();
        return unions;
    }

    private void RebuildClasses()
    {
        _classesByOp.Clear();
        foreach (var eclass in Classes)
        {
            var nodes = new HashSet<ENode>();
            eclass.NodeList = eclass.NodeList.Select(Canonicalize).Where(nodes.Add).ToList();
            var parents = new HashSet<(ENode, EClassId)>();
            eclass.Parents = eclass.Parents
                .Select(p => (Canonicalize(p.Node), Find(p.Class)))
                .Where(parents.Add)
                .ToList();
            foreach (var node in eclass.NodeList)
            {
                if (!_classesByOp.TryGetValue(node.Op, out var list))
                {
                    _classesByOp[node.Op] = list = [];
                }
                // Nodes of one class are visited together, so a repeat is always the last entry.
                if (list.Count == 0 || list[^1] != eclass.Id)
                {
                    list.Add(eclass.Id);
                }
            }
        }
        // Congruence is closed here, so every stale key maps into the class of its canonical form.
        var memo = new Dictionary<ENode, EClassId>(_memo.Count);
        foreach (var (node, id) in _memo)
        {
            memo[Canonicalize(node)] = Find(id);
        }
        _staleDropped += _memo.Count - memo.Count;
        _memo = memo;
        _indexStale = false;
    }

    /// <summary>The classes holding at least one node with operator <paramref name="op"/> (clean e-graph).</summary>
    internal IReadOnlyList<EClassId> ClassesWithOp(string op)
    {
        EnsureClean();
        return _classesByOp.TryGetValue(op, out var list) ? list : [];
    }

    internal void EnsureClean()
    {
        if (!IsClean)
        {
            throw new InvalidOperationException("the e-graph must be rebuilt (Rebuild) before it is searched");
        }
    }

    internal IEnumerable<KeyValuePair<ENode, EClassId>> Memo => _memo;
}
