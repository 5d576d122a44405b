using DyCompile.Passes.EGraph;
using FsCheck.Xunit;

namespace DyCompile.Passes.Tests.EGraph;

public sealed class EGraphProperties
{
    [Property(MaxTest = 200)]
    public void Rebuild_restores_congruence_and_a_canonical_hashcons(int seed)
    {
        var random = new RandomEGraph(seed, rounds: 3, nodesPerRound: 8, unionsPerRound: 3);
        var egraph = random.EGraph;

        // Independent congruence closure over the same facts: naive union-find, repeated to a fixpoint.
        var parent = Enumerable.Range(0, random.Ids.Max(i => i.Value) + 1).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        foreach (var (a, b) in random.Unions)
        {
            parent[Find(a.Value)] = Find(b.Value);
        }
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (n1, id1) in random.Added)
            {
                foreach (var (n2, id2) in random.Added)
                {
                    if (Find(id1.Value) != Find(id2.Value)
                        && n1.Matches(n2.Op, n2.Payload, n2.Arity)
                        && n1.Children.Zip(n2.Children).All(p => Find(p.First.Value) == Find(p.Second.Value)))
                    {
                        parent[Find(id1.Value)] = Find(id2.Value);
                        changed = true;
                    }
                }
            }
        }
        foreach (var a in random.Ids)
        {
            foreach (var b in random.Ids)
            {
                Assert.Equal(Find(a.Value) == Find(b.Value), egraph.Find(a) == egraph.Find(b));
            }
        }
        Assert.Equal(random.Ids.Select(i => Find(i.Value)).Distinct().Count(), egraph.ClassCount);

        // Congruence inside the e-graph: canonical nodes, each in exactly one class.
        var home = new Dictionary<ENode, EClassId>();
        foreach (var eclass in egraph.Classes)
        {
            Assert.Equal(eclass.Id, egraph.Find(eclass.Id));
            foreach (var node in eclass.Nodes)
            {
                Assert.Equal(node, egraph.Canonicalize(node));
                Assert.True(home.TryAdd(node, eclass.Id), $"{node} is in two classes");
            }
        }

        // The hashcons is canonical and agrees with the classes.
        var memo = egraph.Memo.ToArray();
        Assert.Equal(home.Count, memo.Length);
        foreach (var (node, id) in memo)
        {
            Assert.Equal(node, egraph.Canonicalize(node));
            Assert.Equal(home[node], id);
        }

        // The analysis is at its fixpoint: each class's data is the best its nodes make.
        foreach (var eclass in egraph.Classes)
        {
            Assert.Equal(eclass.Nodes.Min(n => egraph.Analysis.Make(egraph, n)), eclass.Data);
        }
    }

    private static readonly PatternNode[] Leaves =
    [
        new PatternNode.Variable(new Var("?a")),
        new PatternNode.Variable(new Var("?b")),
        new PatternNode.Node("x", 0, []),
        new PatternNode.Node("x", 1, []),
    ];

    private static PatternNode RandomPattern(Random random, int depth) =>
        depth == 0 || random.Next(3) == 0
            ? Leaves[random.Next(Leaves.Length)]
            : random.Next(2) == 0
                ? new PatternNode.Node("f", null, [RandomPattern(random, depth - 1)])
                : new PatternNode.Node("g", null, [RandomPattern(random, depth - 1), RandomPattern(random, depth - 1)]);

    /// <summary>Plain recursive matching: every way the pattern matches at a class.</summary>
    private static IEnumerable<Dictionary<Var, EClassId>> NaiveMatch(
        EGraph<int> egraph, PatternNode pattern, EClassId eclass, Dictionary<Var, EClassId> bound)
    {
        eclass = egraph.Find(eclass);
        switch (pattern)
        {
            case PatternNode.Variable v when bound.TryGetValue(v.Var, out var existing):
                if (existing == eclass)
                {
                    yield return bound;
                }
                break;
            case PatternNode.Variable v:
                yield return new Dictionary<Var, EClassId>(bound) { [v.Var] = eclass };
                break;
            case PatternNode.Node n:
                foreach (var node in egraph[eclass].Nodes.Where(e => e.Matches(n.Op, n.Payload, n.Children.Count)))
                {
                    IEnumerable<Dictionary<Var, EClassId>> partial = [bound];
                    for (var i = 0; i < n.Children.Count; i++)
                    {
                        var index = i;
                        partial = partial.SelectMany(b => NaiveMatch(egraph, n.Children[index], node.Children[index], b)).ToArray();
                    }
                    foreach (var result in partial)
                    {
                        yield return result;
                    }
                }
                break;
        }
    }

    [Property(MaxTest = 150)]
    public void Compiled_matching_finds_exactly_what_naive_matching_finds(int seed)
    {
        var random = new Random(seed);
        var egraph = new RandomEGraph(seed, rounds: 2, nodesPerRound: 10, unionsPerRound: 3).EGraph;
        var pattern = new Pattern(RandomPattern(random, 3));

        var compiled = pattern.Search(egraph)
            .SelectMany(m => m.Substs.Select(s => $"{m.EClass} " + string.Join(" ", s.Vars.OrderBy(v => v.Name).Select(v => $"{v}={s[v]}"))))
            .Order()
            .ToArray();
        var naive = egraph.Classes
            .SelectMany(c => NaiveMatch(egraph, pattern.Root, c.Id, []).Select(b =>
                $"{c.Id} " + string.Join(" ", b.OrderBy(kv => kv.Key.Name).Select(kv => $"{kv.Key}={kv.Value}"))))
            .Order()
            .ToArray();

        Assert.Equal(naive, compiled);
    }

    private static double NodeCost(ENode node) => node.Op switch
    {
        "x" => 1 + (int)node.Payload!,
        "f" => 1,
        _ => 2,
    };

    /// <summary>
    /// Classes built bottom-up, each given one to three alternative nodes over earlier classes, so
    /// a choice can reuse a class the rest of the DAG needs anyway.
    /// </summary>
    internal static (EGraph<int> EGraph, EClassId Root) LayeredChoices(int seed, int classCount)
    {
        var random = new Random(seed);
        var egraph = new EGraph<int>(new RandomEGraph.MinLeaf());
        var classes = Enumerable.Range(0, 3).Select(k => egraph.Add(new ENode("x", k))).ToList();
        EClassId Earlier() => classes[random.Next(classes.Count)];
        ENode RandomNode() => random.Next(3) == 0
            ? new ENode("f", null, [Earlier()])
            : new ENode("g", null, [Earlier(), Earlier()]);
        for (var i = 0; i < classCount; i++)
        {
            var id = egraph.Add(RandomNode());
            for (var alternatives = random.Next(3); alternatives > 0; alternatives--)
            {
                egraph.Union(id, egraph.Add(RandomNode()));
            }
            classes.Add(id);
        }
        egraph.Rebuild();
        return (egraph, egraph.Find(classes[^1]));
    }

    [Property(MaxTest = 150)]
    public void Dag_extraction_is_optimal_against_exhaustive_enumeration(int seed)
    {
        var (egraph, root) = LayeredChoices(seed, classCount: 6);
        var classes = egraph.Classes.ToArray();

        // Every choice of one node per class; keep the acyclic ones and cost what the root reaches.
        Assert.True(classes.Aggregate(1L, (n, c) => n * c.Nodes.Count) <= 1_000_000);
        var choice = new Dictionary<EClassId, ENode>();
        var best = double.PositiveInfinity;
        void Enumerate(int index)
        {
            if (index == classes.Length)
            {
                best = Math.Min(best, DagCost(egraph, choice, root) ?? double.PositiveInfinity);
                return;
            }
            foreach (var node in classes[index].Nodes)
            {
                choice[classes[index].Id] = node;
                Enumerate(index + 1);
            }
        }
        Enumerate(0);

        var extractor = new DagExtractor<int>(egraph, NodeCost);
        if (double.IsPositiveInfinity(best))
        {
            Assert.Throws<InvalidOperationException>(() => extractor.Extract(root));
            return;
        }
        var result = extractor.Extract(root);
        Assert.True(result.IsExact);
        Assert.Equal(best, result.Cost);
        Assert.Equal(result.Cost, DagCost(egraph, result.Choices, root));
    }

    /// <summary>The summed node cost of the classes the root reaches, or null on a cycle.</summary>
    internal static double? DagCost(EGraph<int> egraph, IReadOnlyDictionary<EClassId, ENode> choice, EClassId root)
    {
        var done = new HashSet<EClassId>();
        var onPath = new HashSet<EClassId>();
        var cost = 0.0;
        bool Visit(EClassId id)
        {
            id = egraph.Find(id);
            if (done.Contains(id))
            {
                return true;
            }
            if (!onPath.Add(id))
            {
                return false;
            }
            var node = choice[id];
            if (!node.Children.All(Visit))
            {
                return false;
            }
            onPath.Remove(id);
            done.Add(id);
            cost += NodeCost(node);
            return true;
        }
        return Visit(root) ? cost : null;
    }
}
