using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

public sealed class RunnerTests
{
    [Theory]
    [InlineData(1_000, false)]
    [InlineData(1_000, true)]
    [InlineData(333, false)]
    public void Node_limit_is_honoured_within_one_application_of_overshoot(int limit, bool backoff)
    {
        var egraph = SumLanguage.NewEGraph(8);
        var runner = new Runner<NoData>(egraph)
        {
            NodeLimit = limit,
            IterationLimit = 1_000,
            TimeLimit = TimeSpan.FromMinutes(1),
            Scheduler = backoff ? new BackoffScheduler<NoData>(matchLimit: 100, banLength: 1) : new SimpleScheduler<NoData>(),
        };

        var reason = runner.Run(SumLanguage.Rules);

        // (+ (+ ?a ?b) ?c) has two operator nodes, (+ ?b ?a) one: one application adds at most two.
        Assert.Equal(1, SumLanguage.Comm.Applier.MaxNodesAdded);
        Assert.Equal(2, SumLanguage.Assoc.Applier.MaxNodesAdded);
        Assert.Equal(StopReason.NodeLimit, reason);
        Assert.True(egraph.NodeCount <= limit + 2, $"{egraph.NodeCount} nodes");
        Assert.Equal(egraph.NodeCount, runner.Iterations[^1].Nodes);
        Assert.All(runner.Iterations.SkipLast(1), it => Assert.True(it.Nodes <= limit));
        Assert.True(egraph.IsClean);
    }

    [Fact]
    public void Node_limit_already_exceeded_stops_before_the_first_iteration()
    {
        var egraph = SumLanguage.NewEGraph(8);   // 8 leaves + 7 sums
        var runner = new Runner<NoData>(egraph) { NodeLimit = 10 };

        Assert.Equal(StopReason.NodeLimit, runner.Run(SumLanguage.Rules));
        Assert.Empty(runner.Iterations);
        Assert.Equal(15, egraph.NodeCount);
    }

    [Fact]
    public void Tiny_time_limit_stops_with_time_limit()
    {
        var egraph = SumLanguage.NewEGraph(8);
        var runner = new Runner<NoData>(egraph)
        {
            TimeLimit = TimeSpan.FromTicks(1),
            NodeLimit = 10_000_000,
            IterationLimit = 1_000,
        };

        Assert.Equal(StopReason.TimeLimit, runner.Run(SumLanguage.Rules));
        Assert.True(egraph.IsClean);
    }

    [Fact]
    public void Iteration_limit_stops_after_that_many_iterations()
    {
        var runner = new Runner<NoData>(SumLanguage.NewEGraph(8)) { IterationLimit = 3, NodeLimit = 1_000_000 };

        Assert.Equal(StopReason.IterationLimit, runner.Run(SumLanguage.Rules));
        Assert.Equal([0, 1, 2], runner.Iterations.Select(i => i.Index));
    }

    [Fact]
    public void A_hook_can_stop_the_run()
    {
        var runner = new Runner<NoData>(SumLanguage.NewEGraph(8)) { NodeLimit = 1_000_000 };
        runner.Hooks.Add(r => r.Iterations.Count == 2 ? "two is enough" : null);

        Assert.Equal(StopReason.Hook, runner.Run(SumLanguage.Rules));
        Assert.Equal("two is enough", runner.StopMessage);
        Assert.Equal(2, runner.Iterations.Count);
    }

    [Fact]
    public void Hooks_run_before_the_first_iteration_and_after_each()
    {
        var egraph = SumLanguage.NewEGraph(2);
        var ab = egraph.Add("(+ a b)");
        var runner = new Runner<NoData>(egraph).StopWhenEquivalent(ab, ab);
        Assert.Equal(StopReason.Hook, runner.Run([SumLanguage.Comm]));
        Assert.Empty(runner.Iterations);

        // Proved by the first iteration's union; the hook stops the run right after it.
        var ba = egraph.Add("(+ b a)");
        var proving = new Runner<NoData>(egraph).StopWhenEquivalent(ab, ba);
        Assert.Equal(StopReason.Hook, proving.Run([SumLanguage.Comm]));
        Assert.Single(proving.Iterations);
    }

    [Fact]
    public void Statistics_count_matches_applications_and_sizes_until_saturation()
    {
        var egraph = SumLanguage.NewEGraph(2);   // (+ a b)
        var runner = new Runner<NoData>(egraph);

        Assert.Equal(StopReason.Saturated, runner.Run([SumLanguage.Comm]));

        // Iteration 0: (+ a b) matches once and adds (+ b a). Iteration 1: both match, nothing new.
        Assert.Equal(2, runner.Iterations.Count);
        var (first, second) = (runner.Iterations[0], runner.Iterations[1]);
        Assert.Equal((1, 1, 4, 3), (first.Matches["comm"], first.Applied["comm"], first.Nodes, first.Classes));
        Assert.Equal((2, 0, 4, 3), (second.Matches["comm"], second.Applied["comm"], second.Nodes, second.Classes));
        Assert.Empty(first.Banned);
        Assert.True(first.SearchTime >= TimeSpan.Zero && first.ApplyTime >= TimeSpan.Zero && first.RebuildTime >= TimeSpan.Zero);
    }

    [Fact]
    public void Three_summands_saturate_with_every_ordering_found()
    {
        var egraph = SumLanguage.NewEGraph(3);
        var runner = new Runner<NoData>(egraph);

        Assert.Equal(StopReason.Saturated, runner.Run(SumLanguage.Rules));

        // Classes: 3 leaves, 3 unordered pairs, 1 whole sum. Nodes: 3 leaves, 2 orders of each
        // pair, and in the sum class each pair class with the remaining leaf on either side.
        Assert.Equal(7, egraph.ClassCount);
        Assert.Equal(3 + (3 * 2) + (3 * 2), egraph.NodeCount);
    }

    [Fact]
    public void Rules_with_one_name_twice_are_rejected()
    {
        var runner = new Runner<NoData>(SumLanguage.NewEGraph(2));

        var error = Assert.Throws<ArgumentException>(() => runner.Run([SumLanguage.Comm, SumLanguage.Comm]));
        Assert.Contains("'comm'", error.Message);
    }
}
