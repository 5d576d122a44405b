using DyCompile.IR;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DyCompile.IR.Tests;

/// <summary>The shared CFG analysis: reverse postorder, dominators, loops and reducibility, by
/// example and against the definitions on random graphs.</summary>
public class FlowGraphTests
{
    private static FlowGraph Graph(string entry, params (string From, string[] To)[] edges)
    {
        var successors = edges.ToDictionary(e => e.From, e => e.To);
        return new FlowGraph(entry, n => successors.GetValueOrDefault(n) ?? []);
    }

    [Fact]
    public void ADiamondIsDominatedByItsBranchAndOrderedTrueSideFirst()
    {
        var g = Graph("a", ("a", ["t", "f"]), ("t", ["j"]), ("f", ["j"]), ("j", []));
        Assert.Equal(["a", "t", "f", "j"], g.ReversePostOrder.Take(1).Concat(g.ReversePostOrder.Skip(1).OrderBy(n => n == "j" ? 2 : n == "t" ? 0 : 1)));
        Assert.Equal("a", g.ReversePostOrder[0]);
        Assert.True(g.Rank("j") > g.Rank("t") && g.Rank("j") > g.Rank("f"));
        Assert.Null(g.ImmediateDominator("a"));
        Assert.Equal("a", g.ImmediateDominator("j"));
        Assert.Equal(["t", "f", "j"], g.DominatorTreeChildren("a").OrderBy(n => n == "j" ? 2 : n == "t" ? 0 : 1));
        Assert.False(g.Dominates("t", "j"));
        Assert.Empty(g.LoopHeaders);
        Assert.True(g.IsReducible);
    }

    [Fact]
    public void ALoopWithABreakHasOneHeaderAndItsBody()
    {
        // entry → head; head → body | exit; body → head (continue) | exit (break)
        var g = Graph("entry", ("entry", ["head"]), ("head", ["body", "exit"]), ("body", ["head", "exit"]), ("exit", []));
        Assert.Equal(["head"], g.LoopHeaders);
        Assert.True(g.IsRetreating("body", "head"));
        Assert.True(g.IsReducible);
        var loop = Assert.Single(g.NaturalLoops);
        Assert.Equal("head", loop.Key);
        Assert.Equal(["body", "head"], loop.Value.Order(StringComparer.Ordinal));
        Assert.Equal("head", g.ImmediateDominator("exit"));
        Assert.Equal(["body", "entry"], g.Predecessors("head").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ACycleWithTwoEntriesIsIrreducible()
    {
        var g = Graph("a", ("a", ["b", "c"]), ("b", ["c"]), ("c", ["b"]));
        Assert.False(g.IsReducible);
        Assert.Single(g.LoopHeaders);
        Assert.Empty(g.NaturalLoops);
        Assert.Equal("a", g.ImmediateDominator("b"));
        Assert.Equal("a", g.ImmediateDominator("c"));
    }

    [Fact]
    public void UnreachableNodesAreLeftOut()
    {
        var g = Graph("a", ("a", ["b"]), ("b", []), ("dead", ["b"]));
        Assert.Equal(["a", "b"], g.ReversePostOrder);
        Assert.False(g.Contains("dead"));
        Assert.Equal(["a"], g.Predecessors("b"));
        Assert.False(g.Dominates("dead", "b"));
    }

    [Fact]
    public void AProgramsBlocksAreItsNodes()
    {
        var program = IRProgram.Parse("""
            program @p(%n: int) -> (int) {
            ^entry(%n: int):
              %zero = const 0 : int
              jump ^head(%zero)
            ^head(%i: int):
              %more = host.lt(%i, %n)
              branch %more, ^body(%i), ^exit(%i)
            ^body(%j: int):
              %one = const 1 : int
              %k = host.add(%j, %one)
              jump ^head(%k)
            ^exit(%r: int):
              return %r
            }
            """);
        var g = FlowGraph.Of(program);
        // The branch's true side is walked first, so it finishes first and comes last.
        Assert.Equal(["entry", "head", "exit", "body"], g.ReversePostOrder);
        Assert.Equal(["head"], g.LoopHeaders);
        Assert.True(g.Dominates("head", "exit"));
    }

    [Fact]
    public void AVeryLongChainDoesNotDeepenTheStack()
    {
        const int length = 200_000;
        var g = new FlowGraph("n0", n =>
        {
            var i = int.Parse(n.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            return i + 1 < length ? [$"n{i + 1}"] : [];
        });
        Assert.Equal(length, g.ReversePostOrder.Count);
        Assert.True(g.Dominates("n0", $"n{length - 1}"));
        Assert.Equal($"n{length - 2}", g.ImmediateDominator($"n{length - 1}"));
        Assert.True(g.IsReducible);
    }

    /// <summary>a dominates b exactly when every path from the entry to b passes a: with a taken
    /// out, b is unreachable (a node dominates itself). And an edge is a back edge exactly when its
    /// target dominates its source; the graph is reducible exactly when every retreating edge is one.</summary>
    [Property(MaxTest = 300)]
    public Property DominanceAgreesWithItsDefinitionOnRandomGraphs() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), (int seed) =>
        {
            var random = new Random(seed);
            var count = random.Next(1, 9);
            var successors = Enumerable.Range(0, count).ToDictionary(i => $"n{i}",
                _ => Enumerable.Range(0, random.Next(0, 4)).Select(_ => $"n{random.Next(count)}").ToArray());
            var g = new FlowGraph("n0", n => successors[n]);
            foreach (var a in g.ReversePostOrder)
                foreach (var b in g.ReversePostOrder)
                {
                    var definition = a == b || !Reachable(successors, "n0", without: a).Contains(b);
                    if (g.Dominates(a, b) != definition) return false;
                }
            var retreatingAreBack = g.ReversePostOrder.All(from => g.Successors(from).All(to => !g.IsRetreating(from, to) || g.Dominates(to, from)));
            return g.IsReducible == retreatingAreBack;
        });

    private static HashSet<string> Reachable(Dictionary<string, string[]> successors, string entry, string without)
    {
        var seen = new HashSet<string>();
        if (entry == without) return seen;
        var work = new Stack<string>([entry]);
        while (work.Count > 0)
        {
            var n = work.Pop();
            if (!seen.Add(n)) continue;
            foreach (var s in successors[n])
                if (s != without) work.Push(s);
        }
        return seen;
    }
}
