using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

public sealed class BackoffSchedulerTests
{
    /// <summary>A searcher that always finds three matches at class #0, recording the limits asked.</summary>
    private sealed class ThreeMatches : ISearcher, IApplier
    {
        public List<int> Limits { get; } = [];

        public IReadOnlyCollection<Var> Vars => [];

        public IReadOnlyList<SearchMatches> Search<TData>(EGraph<TData> egraph, int limit = int.MaxValue)
        {
            Limits.Add(limit);
            var count = Math.Min(3, limit);
            return [new SearchMatches(new EClassId(0), Enumerable.Range(0, count).Select(_ => EmptySubst()).ToArray())];
        }

        public bool Apply<TData>(EGraph<TData> egraph, EClassId eclass, Subst subst) => false;

        private static Subst EmptySubst() => Pattern.Parse(SumLanguage.Language, "?x").SearchClass(Leaf(), new EClassId(0))[0];

        private static EGraph<NoData> Leaf()
        {
            var egraph = new EGraph<NoData>(NoAnalysis.Instance, SumLanguage.Language);
            egraph.Add("a");
            egraph.Rebuild();
            return egraph;
        }
    }

    [Fact]
    public void Bans_double_in_length_and_raise_the_match_limit()
    {
        var searcher = new ThreeMatches();
        var rule = new Rewrite<NoData>("three", searcher, searcher);
        var scheduler = new BackoffScheduler<NoData>(matchLimit: 1, banLength: 1);
        var egraph = new EGraph<NoData>(NoAnalysis.Instance);

        var kept = Enumerable.Range(0, 4).Select(i => scheduler.Search(i, egraph, rule).Sum(m => m.Substs.Count)).ToArray();

        // 0: 3 > limit 1, banned for 1 (until 1). 1: 3 > limit 2, banned for 2 (until 3).
        // 2: banned, not searched. 3: 3 <= limit 4, kept.
        Assert.Equal([0, 0, 0, 3], kept);
        Assert.Equal([2, 3, 5], searcher.Limits);
        Assert.Equal(new BackoffRuleStats(1, 2, 3, 4, 4), scheduler.GetStats("three"));
    }

    [Fact]
    public void Can_stop_only_after_bans_are_moved_forward()
    {
        var searcher = new ThreeMatches();
        var rule = new Rewrite<NoData>("three", searcher, searcher);
        var scheduler = new BackoffScheduler<NoData>(matchLimit: 1, banLength: 4);
        var egraph = new EGraph<NoData>(NoAnalysis.Instance);

        scheduler.Search(0, egraph, rule);   // banned until 4

        Assert.True(scheduler.IsBanned(1, rule));
        Assert.False(scheduler.CanStop(1));   // moves the ban to end at 1
        Assert.False(scheduler.IsBanned(1, rule));
        Assert.True(scheduler.CanStop(1));
    }

    [Fact]
    public void Per_rule_limits_override_the_defaults()
    {
        var searcher = new ThreeMatches();
        var rule = new Rewrite<NoData>("three", searcher, searcher);
        var scheduler = new BackoffScheduler<NoData>(matchLimit: 1, banLength: 1).WithRule("three", 5, 1);

        Assert.Equal(3, scheduler.Search(0, new EGraph<NoData>(NoAnalysis.Instance), rule).Sum(m => m.Substs.Count));
    }

    [Fact]
    public void Runner_statistics_show_an_exploding_rule_banned()
    {
        var egraph = SumLanguage.NewEGraph(8);
        var scheduler = new BackoffScheduler<NoData>(matchLimit: 50, banLength: 2);
        var runner = new Runner<NoData>(egraph) { Scheduler = scheduler, IterationLimit = 4, NodeLimit = 1_000_000 };

        runner.Run(SumLanguage.Rules);

        var banned = runner.Iterations.Where(i => i.Banned.Contains("assoc")).ToArray();
        Assert.NotEmpty(banned);
        Assert.All(banned, i => Assert.Equal((0, 0), (i.Matches["assoc"], i.Applied["assoc"])));
        Assert.Contains(runner.Iterations, i => i.Applied["assoc"] > 0);
        Assert.True(scheduler.GetStats("assoc").TimesBanned >= 1);

        // Without backoff the same iterations apply every match and grow the e-graph more.
        var unbanned = SumLanguage.NewEGraph(8);
        new Runner<NoData>(unbanned) { Scheduler = new SimpleScheduler<NoData>(), IterationLimit = 4, NodeLimit = 1_000_000 }
            .Run(SumLanguage.Rules);
        Assert.True(unbanned.NodeCount > egraph.NodeCount);
    }
}
