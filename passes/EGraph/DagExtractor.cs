namespace DyCompile.Passes.EGraph;

/// <summary>
/// DAG-aware extraction: picks one node per needed class so that the sum of node costs over the
/// chosen classes — a shared subterm counted once — is least, with no cycles.
/// <para>
/// It starts from the greedy tree choice, then refines it by switching one class's node at a time
/// while that lowers the DAG cost ("greedy with sharing refinement"). When the e-graph has at most
/// <see cref="MaxExactClasses"/> classes it then runs a branch-and-bound search over the choices
/// (bound: cost so far plus the cheapest node of every class still needed) seeded with the refined
/// cost, which proves the optimum unless it expands more than the budget of states. Each
/// refinement trial costs as many states as the classes in the current choice (it walks them all),
/// against the same budget. Past either limit the refined choice is returned with
/// <see cref="DagExtraction.IsExact"/> false. Node costs must be non-negative.
/// </para>
/// </summary>
/// <example><code>
/// var result = new DagExtractor&lt;NoData&gt;(egraph, node => 1).Extract(root);
/// Console.WriteLine($"{result.TermOf(root)}: {result.Cost} distinct nodes, exact: {result.IsExact}");
/// </code></example>
public sealed class DagExtractor<TData>
{
    /// <summary>Search states allowed by default: branch-and-bound choices, plus per refinement trial the classes it walks.</summary>
    public const int DefaultBudget = 100_000;

    /// <summary>Above this many classes only the refined greedy choice is computed.</summary>
    public const int MaxExactClasses = 500;

    private const double Epsilon = 1e-9;

    private readonly EGraph<TData> _egraph;
    private readonly Func<ENode, double> _nodeCost;
    private readonly int _budget;

    public DagExtractor(EGraph<TData> egraph, Func<ENode, double> nodeCost, int budget = DefaultBudget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        _egraph = egraph;
        _nodeCost = nodeCost;
        _budget = budget;
    }

    /// <summary>The cheapest DAG reaching every root.</summary>
    public DagExtraction Extract(params EClassId[] roots)
    {
        _egraph.EnsureClean();
        var tree = new TreeExtractor<TData>(_egraph, CostFunctions.TreeOf(_nodeCost));
        roots = roots.Select(_egraph.Find).Distinct().ToArray();
        foreach (var root in roots)
        {
            if (!tree.CanExtract(root))
            {
                throw new InvalidOperationException($"class {root} has no finite term");
            }
        }
        var search = new Search(this, tree, roots);
        return search.Run();
    }

    private sealed class Search
    {
        private readonly DagExtractor<TData> _owner;
        private readonly TreeExtractor<TData> _tree;
        private readonly EClassId[] _roots;
        private readonly Dictionary<EClassId, ENode[]> _candidates = [];
        private readonly Dictionary<EClassId, double> _minCost = [];
        private readonly Dictionary<EClassId, ENode> _chosen = [];
        private readonly Stack<EClassId> _open = new();
        private readonly HashSet<EClassId> _openSet = [];
        private Dictionary<EClassId, ENode> _best;
        private double _bestCost;
        private double _openBound;
        private long _states;
        private bool _aborted;

        public Search(DagExtractor<TData> owner, TreeExtractor<TData> tree, EClassId[] roots)
        {
            _owner = owner;
            _tree = tree;
            _roots = roots;
            var egraph = owner._egraph;
            foreach (var eclass in egraph.Classes.Where(c => tree.CanExtract(c.Id)))
            {
                var nodes = eclass.Nodes
                    .Where(n => n.Children.All(tree.CanExtract))
                    .OrderBy(n => owner._nodeCost(n) + n.Children.Sum(tree.Cost))
                    .ToArray();
                _candidates[eclass.Id] = nodes;
                _minCost[eclass.Id] = nodes.Min(n =>
                {
                    var cost = owner._nodeCost(n);
                    return cost >= 0 ? cost : throw new InvalidOperationException($"node {n} has a negative cost");
                });
            }
            _best = Walk([]) ?? throw new InvalidOperationException("the greedy choice has a cycle");
            _bestCost = CostOf(_best);
        }

        public DagExtraction Run()
        {
            Refine();
            var exact = false;
            if (!_aborted && _candidates.Count <= MaxExactClasses)
            {
                foreach (var root in _roots)
                {
                    Open(root);
                }
                Branch(0);
                exact = !_aborted;
            }
            return new DagExtraction(_bestCost, _best, exact, _states);
        }

        private bool Spend(int cost = 1) => !(_aborted = _aborted || (_states += cost) > _owner._budget);

        /// <summary>Switches single classes to another node while that lowers the DAG cost.</summary>
        private void Refine()
        {
            var improved = true;
            while (improved && !_aborted)
            {
                improved = false;
                foreach (var eclass in _best.Keys.ToArray())
                {
                    foreach (var node in _candidates[eclass])
                    {
                        if (node.Equals(_best[eclass]))
                        {
                            continue;
                        }
                        // A trial walks the whole current choice, so it costs that many states.
                        if (!Spend(_best.Count))
                        {
                            return;
                        }
                        var trial = Walk(new Dictionary<EClassId, ENode>(_best) { [eclass] = node });
                        if (trial is not null && CostOf(trial) < _bestCost - Epsilon)
                        {
                            _best = trial;
                            _bestCost = CostOf(trial);
                            improved = true;
                            break;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The choices reachable from the roots (missing ones filled with the greedy node), or
        /// null when they form a cycle.
        /// </summary>
        private Dictionary<EClassId, ENode>? Walk(Dictionary<EClassId, ENode> choices)
        {
            var result = new Dictionary<EClassId, ENode>();
            var onPath = new HashSet<EClassId>();
            bool Visit(EClassId id)
            {
                if (result.ContainsKey(id))
                {
                    return true;
                }
                if (!onPath.Add(id))
                {
                    return false;
                }
                var node = choices.TryGetValue(id, out var chosen) ? chosen : _tree.BestNode(id);
                foreach (var child in node.Children)
                {
                    if (!Visit(_owner._egraph.Find(child)))
                    {
                        return false;
                    }
                }
                onPath.Remove(id);
                result[id] = node;
                return true;
            }
            return _roots.All(Visit) ? result : null;
        }

        private double CostOf(Dictionary<EClassId, ENode> choices) => choices.Values.Sum(_owner._nodeCost);

        private void Open(EClassId id)
        {
            if (!_chosen.ContainsKey(id) && _openSet.Add(id))
            {
                _open.Push(id);
                _openBound += _minCost[id];
            }
        }

        /// <summary>Depth-first over the choice of the next open class; restores the open stack on return.</summary>
        private void Branch(double costSoFar)
        {
            if (_open.Count == 0)
            {
                if (costSoFar < _bestCost - Epsilon)
                {
                    _bestCost = costSoFar;
                    _best = new Dictionary<EClassId, ENode>(_chosen);
                }
                return;
            }
            if (costSoFar + _openBound >= _bestCost - Epsilon)
            {
                return;
            }
            var eclass = _open.Pop();
            _openSet.Remove(eclass);
            _openBound -= _minCost[eclass];
            foreach (var node in _candidates[eclass])
            {
                if (!Spend())
                {
                    break;
                }
                if (ClosesCycle(eclass, node))
                {
                    continue;
                }
                _chosen[eclass] = node;
                var openedBefore = _open.Count;
                foreach (var child in node.Children)
                {
                    Open(_owner._egraph.Find(child));
                }
                Branch(costSoFar + _owner._nodeCost(node));
                while (_open.Count > openedBefore)
                {
                    var opened = _open.Pop();
                    _openSet.Remove(opened);
                    _openBound -= _minCost[opened];
                }
                _chosen.Remove(eclass);
            }
            _open.Push(eclass);
            _openSet.Add(eclass);
            _openBound += _minCost[eclass];
        }

        /// <summary>Whether choosing <paramref name="node"/> for <paramref name="eclass"/> lets it reach itself.</summary>
        private bool ClosesCycle(EClassId eclass, ENode node)
        {
            var seen = new HashSet<EClassId>();
            var todo = new Stack<EClassId>(node.Children.Select(_owner._egraph.Find));
            while (todo.TryPop(out var id))
            {
                if (id == eclass)
                {
                    return true;
                }
                if (seen.Add(id) && _chosen.TryGetValue(id, out var chosen))
                {
                    foreach (var child in chosen.Children)
                    {
                        todo.Push(_owner._egraph.Find(child));
                    }
                }
            }
            return false;
        }
    }
}
