namespace DyCompile.Passes.EGraph;

/// <summary>
/// Greedy extraction by tree cost (egg's <c>Extractor</c>): the cheapest node of every class,
/// found by iterating to a fixpoint, where a child shared twice is paid twice.
/// </summary>
/// <example><code>
/// var best = new TreeExtractor&lt;NoData&gt;(egraph, CostFunctions.AstSize).FindBest(root);
/// Console.WriteLine($"{best.Term} costs {best.Cost}");
/// </code></example>
public sealed class TreeExtractor<TData>
{
    private readonly EGraph<TData> _egraph;
    private readonly Dictionary<EClassId, (double Cost, ENode Node)> _best = [];

    public TreeExtractor(EGraph<TData> egraph, CostFunction cost)
    {
        egraph.EnsureClean();
        _egraph = egraph;
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var eclass in egraph.Classes)
            {
                foreach (var node in eclass.Nodes)
                {
                    if (!node.Children.All(c => _best.ContainsKey(egraph.Find(c))))
                    {
                        continue;
                    }
                    var nodeCost = cost(node, c => _best[egraph.Find(c)].Cost);
                    if (!_best.TryGetValue(eclass.Id, out var current) || nodeCost < current.Cost)
                    {
                        _best[eclass.Id] = (nodeCost, node);
                        changed = true;
                    }
                }
            }
        }
    }

    /// <summary>Whether the class has a finite term (a class only reachable through cycles has none).</summary>
    public bool CanExtract(EClassId id) => _best.ContainsKey(_egraph.Find(id));

    /// <summary>The best tree cost of a class.</summary>
    public double Cost(EClassId id) => Best(id).Cost;

    /// <summary>The node chosen for a class.</summary>
    public ENode BestNode(EClassId id) => Best(id).Node;

    /// <summary>The cheapest term of a class and its cost.</summary>
    public (double Cost, Term Term) FindBest(EClassId id) => (Cost(id), BuildTerm(id, []));

    private (double Cost, ENode Node) Best(EClassId id) =>
        _best.TryGetValue(_egraph.Find(id), out var best)
            ? best
            : throw new InvalidOperationException($"class {id} has no finite term");

    private Term BuildTerm(EClassId id, HashSet<EClassId> path)
    {
        id = _egraph.Find(id);
        if (!path.Add(id))
        {
            throw new InvalidOperationException("the cost function does not grow with its children: extraction loops");
        }
        var node = BestNode(id);
        var term = new Term(node.Op, node.Payload, node.Children.Select(c => BuildTerm(c, path)).ToArray());
        path.Remove(id);
        return term;
    }
}
