namespace DyCompile.Passes.EGraph;

/// <summary>
/// A pattern compiled for instantiation: its operator nodes in post-order, each a head and child
/// references (an earlier node, or a variable of the substitution), so adding an instance is a
/// loop over small arrays with no tree walk and no <see cref="ENode"/> objects.
/// </summary>
internal sealed class Instantiator
{
    private readonly (string Op, object? Payload, int Arity)[] _heads;
    private readonly int[] _stepHeads;
    private readonly int[] _stepArities;
    private readonly int[] _stepStarts;
    private readonly int[] _refs;          // >= 0: an earlier step; < 0: ~(index into _vars)
    private readonly int _root;            // the same encoding, for the whole pattern
    private readonly int _maxArity;
    private readonly Var[] _vars;
    private VarMap? _lastMap;
    private ResolvedHeads? _lastHeads;

    public Instantiator(PatternNode pattern)
    {
        var heads = new List<(string, object?, int)>();
        var stepHeads = new List<int>();
        var stepArities = new List<int>();
        var stepStarts = new List<int>();
        var refs = new List<int>();
        var vars = new List<Var>();

        int Compile(PatternNode node)
        {
            switch (node)
            {
                case PatternNode.Variable v:
                    var index = vars.IndexOf(v.Var);
                    if (index < 0)
                    {
                        index = vars.Count;
                        vars.Add(v.Var);
                    }
                    return ~index;
                case PatternNode.Node n:
                    var children = n.Children.Select(Compile).ToArray();
                    var key = (n.Op, n.Payload, children.Length);
                    var head = heads.IndexOf(key);
                    if (head < 0)
                    {
                        head = heads.Count;
                        heads.Add(key);
                    }
                    stepHeads.Add(head);
                    stepArities.Add(children.Length);
                    stepStarts.Add(refs.Count);
                    refs.AddRange(children);
                    return stepHeads.Count - 1;
                default:
                    throw new InvalidOperationException("unknown pattern node");
            }
        }

        _root = Compile(pattern);
        _heads = heads.ToArray();
        _stepHeads = stepHeads.ToArray();
        _stepArities = stepArities.ToArray();
        _stepStarts = stepStarts.ToArray();
        _refs = refs.ToArray();
        _vars = vars.ToArray();
        _maxArity = stepArities.Count == 0 ? 0 : stepArities.Max();
    }

    /// <summary>Adds the pattern with its variables replaced by <paramref name="subst"/>; returns its class.</summary>
    public EClassId Instantiate<TData>(EGraph<TData> egraph, Subst subst)
    {
        var map = MapOf(subst);
        if (_root < 0)
        {
            return subst.At(map[~_root]);
        }
        var heads = HeadsIn(egraph);
        Span<int> results = _stepHeads.Length <= 64 ? stackalloc int[_stepHeads.Length] : new int[_stepHeads.Length];
        Span<int> children = _maxArity <= 16 ? stackalloc int[_maxArity] : new int[_maxArity];
        for (var step = 0; step < _stepHeads.Length; step++)
        {
            var arity = _stepArities[step];
            var start = _stepStarts[step];
            for (var i = 0; i < arity; i++)
            {
                var reference = _refs[start + i];
                children[i] = reference >= 0 ? results[reference] : subst.At(map[~reference]).Value;
            }
            results[step] = egraph.AddNode(heads[_stepHeads[step]], children[..arity]);
        }
        return new EClassId(results[^1]);
    }

    /// <summary>The pattern's heads as ids of <paramref name="egraph"/> (the last e-graph's kept at hand).</summary>
    private int[] HeadsIn<TData>(EGraph<TData> egraph)
    {
        var last = _lastHeads;
        if (last is not null && ReferenceEquals(last.Owner, egraph.Identity))
        {
            return last.Heads;
        }
        var heads = egraph.ResolveHeads(this, _heads);
        _lastHeads = new ResolvedHeads(egraph.Identity, heads);
        return heads;
    }

    /// <summary>Where each variable of the pattern sits in the substitution (cached per searcher).</summary>
    private int[] MapOf(Subst subst)
    {
        var key = subst.VarArray;
        var last = _lastMap;
        if (last is not null && ReferenceEquals(last.Key, key))
        {
            return last.Map;
        }
        var map = new int[_vars.Length];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = Array.IndexOf(key, _vars[i]);
            if (map[i] < 0)
            {
                throw new KeyNotFoundException($"{_vars[i]} is not bound by this match");
            }
        }
        _lastMap = new VarMap(key, map);
        return map;
    }

    private sealed record VarMap(Var[] Key, int[] Map);

    /// <summary>Head ids in the e-graph whose <see cref="EGraph{TData}.Identity"/> is <paramref name="Owner"/>.</summary>
    private sealed record ResolvedHeads(object Owner, int[] Heads);
}
