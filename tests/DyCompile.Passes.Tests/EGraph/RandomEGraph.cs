using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

/// <summary>
/// Random e-graphs over leaves <c>x:k</c> (k in 0..3), unary <c>f</c> and binary <c>g</c>, built
/// from a seed in rounds of additions (children named by possibly stale ids) and unions, with an
/// analysis whose data is the least leaf payload of the class.
/// </summary>
internal sealed class RandomEGraph
{
    public RandomEGraph(int seed, int rounds, int nodesPerRound, int unionsPerRound)
    {
        var random = new Random(seed);
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < nodesPerRound; i++)
            {
                var kind = Ids.Count < 2 ? 0 : random.Next(3);
                var node = kind switch
                {
                    0 => new ENode("x", random.Next(4)),
                    1 => new ENode("f", null, [Pick(random)]),
                    _ => new ENode("g", null, [Pick(random), Pick(random)]),
                };
                var id = EGraph.Add(node);
                Added.Add((node, id));
                Ids.Add(id);
            }
            for (var i = 0; i < unionsPerRound; i++)
            {
                var (a, b) = (Pick(random), Pick(random));
                Unions.Add((a, b));
                EGraph.Union(a, b);
            }
        }
        EGraph.Rebuild();
    }

    public EGraph<int> EGraph { get; } = new(new MinLeaf());

    /// <summary>Every node as added (children as given) with the class the e-graph returned.</summary>
    public List<(ENode Node, EClassId Id)> Added { get; } = [];

    public List<EClassId> Ids { get; } = [];

    public List<(EClassId A, EClassId B)> Unions { get; } = [];

    private EClassId Pick(Random random) => Ids[random.Next(Ids.Count)];

    /// <summary>The least leaf payload reachable through a class's nodes.</summary>
    internal sealed class MinLeaf : IAnalysis<int>
    {
        public int Make(EGraph<int> egraph, ENode node) =>
            node.IsLeaf ? (int)node.Payload! : node.Children.Min(c => egraph[c].Data);

        public MergeResult Merge(ref int into, int from)
        {
            var merged = Math.Min(into, from);
            var result = new MergeResult(merged != into, merged != from);
            into = merged;
            return result;
        }
    }
}
