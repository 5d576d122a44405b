using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

/// <summary>
/// Runs stopped by the node limit under egg 0.9.5's semantics (<see cref="NodeLimitCheck.AfterEachRule"/>)
/// do egg's work: the figures are egg's own for the same workload.
/// </summary>
public sealed class EggNodeLimitTests
{
    private static readonly Language Sums = new([new("+", 2)], atom => new ENode("sym", atom));

    private static readonly Rewrite<NoData>[] AcRules =
    [
        Rewrite<NoData>.Parse(Sums, "comm-add", "(+ ?a ?b)", "(+ ?b ?a)"),
        Rewrite<NoData>.Parse(Sums, "assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)"),
    ];

    private static string Start(int symbols) =>
        Enumerable.Range(1, symbols - 1).Aggregate("x0", (sum, i) => $"(+ x{i} {sum})");

    private static (EGraph<NoData> EGraph, Runner<NoData> Runner) Run(int symbols, int nodeLimit, NodeLimitCheck check)
    {
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Sums);
        egraph.Add(Start(symbols));
        var runner = new Runner<NoData>(egraph)
        {
            NodeLimit = nodeLimit,
            NodeLimitCheck = check,
            IterationLimit = 100,
            TimeLimit = TimeSpan.FromMinutes(5),
            Scheduler = new SimpleScheduler<NoData>(),
        };
        runner.Run(AcRules);
        return (egraph, runner);
    }

    [Fact]
    public void Ac_blow_up_of_12_symbols_gives_eggs_node_and_class_counts()
    {
        var (egraph, runner) = Run(12, 200_000, NodeLimitCheck.AfterEachRule);

        Assert.Equal(StopReason.NodeLimit, runner.StopReason);
        Assert.Equal(6, runner.Iterations.Count);
        Assert.Equal(38_480, egraph.ClassCount);
        Assert.Equal(193_282, egraph.NodeCount);
        Assert.Equal(193_282, egraph.Classes.Sum(c => c.Nodes.Count));
        Assert.True(egraph.TotalSize > 200_000, $"total size {egraph.TotalSize}");
    }

    [Fact]
    public void Per_rule_check_finishes_the_batch_that_crosses_the_limit()
    {
        var (perRule, perRuleRunner) = Run(8, 2_000, NodeLimitCheck.AfterEachRule);
        var (perApplication, perApplicationRunner) = Run(8, 2_000, NodeLimitCheck.AfterEachApplication);

        Assert.Equal(StopReason.NodeLimit, perRuleRunner.StopReason);
        Assert.Equal(StopReason.NodeLimit, perApplicationRunner.StopReason);
        Assert.True(perRule.TotalSize > 2_000);
        Assert.True(perRule.NodeCount > perApplication.NodeCount, $"{perRule.NodeCount} vs {perApplication.NodeCount}");
        Assert.True(perApplication.NodeCount <= 2_000 + 2);
    }

    [Fact]
    public void Total_size_counts_the_stale_entries_egg_keeps_and_node_count_does_not()
    {
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Sums);
        var ab = egraph.Add("(+ a b)");
        var ac = egraph.Add("(+ a c)");
        Assert.Equal(5, egraph.NodeCount);
        Assert.Equal(5, egraph.TotalSize);

        egraph.Union(egraph.Add("b"), egraph.Add("c"));
        egraph.Rebuild();

        // (+ a b) and (+ a c) are one node now; egg's hashcons still holds the pre-union key.
        Assert.Equal(egraph.Find(ab), egraph.Find(ac));
        Assert.Equal(4, egraph.NodeCount);
        Assert.Equal(5, egraph.TotalSize);
    }
}
