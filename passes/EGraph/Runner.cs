using Stop = DyCompile.Passes.EGraph.StopReason;
using System.Diagnostics;

namespace DyCompile.Passes.EGraph;

/// <summary>
/// Equality saturation: each iteration searches every rule (through the scheduler), applies the
/// matches, and rebuilds once. Stops on saturation, a limit, or a hook. Limits are checked
/// before each iteration, after each rule's search (time) and after every single application
/// (nodes and time), or after each rule's batch of applications with
/// <see cref="NodeLimitCheck.AfterEachRule"/>; the e-graph is always rebuilt before <see cref="Run"/> returns, so it is
/// clean and ready for extraction.
/// </summary>
/// <example><code>
/// var runner = new Runner&lt;NoData&gt;(egraph) { NodeLimit = 10_000 };
/// runner.StopWhenEquivalent(a, b);
/// runner.Run(rules);   // runner.StopReason == StopReason.Hook once a ≡ b
/// </code></example>
public sealed class Runner<TData>
{
    private readonly List<IterationStats> _iterations = [];
    private readonly Stopwatch _clock = new();

    public Runner(EGraph<TData> egraph)
    {
        EGraph = egraph;
    }

    public EGraph<TData> EGraph { get; }

    /// <summary>Iterations to run at most.</summary>
    public int IterationLimit { get; set; } = 30;

    /// <summary>
    /// The e-node count (<see cref="EGraph{TData}.NodeCount"/>) past which the runner stops. The
    /// count is checked after every application, so at the stop it is at most
    /// <c>NodeLimit + max over rules of IApplier.MaxNodesAdded</c> (for a pattern right side, its
    /// number of operator nodes), plus whatever an analysis' <c>Modify</c> adds during that
    /// application and the final rebuild. Rebuilding without such an analysis never adds nodes.
    /// </summary>
    public int NodeLimit { get; set; } = 10_000;

    /// <summary>
    /// When and against which count <see cref="NodeLimit"/> is checked (default: after every
    /// application, against <see cref="EGraph{TData}.NodeCount"/>).
    /// </summary>
    public NodeLimitCheck NodeLimitCheck { get; set; } = NodeLimitCheck.AfterEachApplication;

    /// <summary>Wall time after which the runner stops (checked between rule searches and applications).</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(5);

    public IRewriteScheduler<TData> Scheduler { get; set; } = new BackoffScheduler<TData>();

    /// <summary>
    /// Run after every rebuild (and before the first iteration): return null to go on, or a
    /// message to stop with <see cref="StopReason.Hook"/>.
    /// </summary>
    public List<Func<Runner<TData>, string?>> Hooks { get; } = [];

    public IReadOnlyList<IterationStats> Iterations => _iterations;

    public StopReason? StopReason { get; private set; }

    /// <summary>The hook's message when <see cref="StopReason"/> is <see cref="Stop.Hook"/>.</summary>
    public string? StopMessage { get; private set; }

    /// <summary>Adds a hook that stops the run once the two classes are one (a goal is proved).</summary>
    public Runner<TData> StopWhenEquivalent(EClassId a, EClassId b)
    {
        Hooks.Add(r => r.EGraph.Find(a) == r.EGraph.Find(b) ? $"proved {a} = {b}" : null);
        return this;
    }

    public StopReason Run(IEnumerable<Rewrite<TData>> rules)
    {
        var ruleList = rules.ToArray();
        var duplicate = ruleList.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"two rules are named '{duplicate.Key}'", nameof(rules));
        }
        _clock.Restart();
        EGraph.Rebuild();
        var stop = CheckHooks() ?? CheckLimits();
        while (stop is null)
        {
            var nodesBefore = EGraph.NodeCount;
            var classesBefore = EGraph.ClassCount;
            stop = RunIteration(ruleList);
            if (stop is not null)
            {
                break;
            }
            var last = _iterations[^1];
            var unchanged = last.TotalApplied == 0 && last.Nodes == nodesBefore && last.Classes == classesBefore;
            stop = CheckHooks()
                ?? (unchanged && Scheduler.CanStop(last.Index) ? Stop.Saturated : (StopReason?)null)
                ?? CheckLimits();
        }
        StopReason = stop;
        return stop.Value;
    }

    private StopReason? CheckHooks()
    {
        foreach (var hook in Hooks)
        {
            if (hook(this) is { } message)
            {
                StopMessage = message;
                return Stop.Hook;
            }
        }
        return null;
    }

    private StopReason? CheckLimits() =>
        _iterations.Count >= IterationLimit ? Stop.IterationLimit
        : OverNodeLimit ? Stop.NodeLimit
        : TimeUp ? Stop.TimeLimit
        : null;

    private bool OverNodeLimit =>
        (NodeLimitCheck == NodeLimitCheck.AfterEachApplication ? EGraph.NodeCount : EGraph.TotalSize) > NodeLimit;

    private bool PerApplication => NodeLimitCheck == NodeLimitCheck.AfterEachApplication;

    private bool TimeUp => _clock.Elapsed >= TimeLimit;

    private StopReason? RunIteration(Rewrite<TData>[] rules)
    {
        var index = _iterations.Count;
        var matchCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var applied = new Dictionary<string, int>(StringComparer.Ordinal);
        var banned = new List<string>();
        StopReason? stop = null;

        var phase = Stopwatch.StartNew();
        var allMatches = new List<IReadOnlyList<SearchMatches>>(rules.Length);
        foreach (var rule in rules)
        {
            var matches = Scheduler.Search(index, EGraph, rule);
            allMatches.Add(matches);
            matchCounts[rule.Name] = matches.Sum(m => m.Substs.Count);
            applied[rule.Name] = 0;
            if (Scheduler.IsBanned(index, rule))
            {
                banned.Add(rule.Name);
            }
            if (TimeUp)
            {
                stop = Stop.TimeLimit;
                break;
            }
        }
        var searchTime = phase.Elapsed;

        phase.Restart();
        for (var r = 0; r < allMatches.Count && stop is null; r++)
        {
            var rule = rules[r];
            var count = 0;
            foreach (var match in allMatches[r])
            {
                foreach (var subst in match.Substs)
                {
                    if (rule.ApplyOne(EGraph, match.EClass, subst))
                    {
                        count++;
                    }
                    if (PerApplication)
                    {
                        stop = OverNodeLimit ? Stop.NodeLimit : TimeUp ? Stop.TimeLimit : null;
                        if (stop is not null)
                        {
                            break;
                        }
                    }
                }
                if (stop is not null)
                {
                    break;
                }
            }
            applied[rule.Name] = count;
            if (!PerApplication)
            {
                // egg 0.9.5 checks all its limits once a rule's whole batch is applied.
                stop = OverNodeLimit ? Stop.NodeLimit : TimeUp ? Stop.TimeLimit : null;
            }
        }
        var applyTime = phase.Elapsed;

        phase.Restart();
        var unions = EGraph.Rebuild();
        var rebuildTime = phase.Elapsed;

        _iterations.Add(new IterationStats(
            index, EGraph.NodeCount, EGraph.ClassCount, matchCounts, applied, banned, unions,
            searchTime, applyTime, rebuildTime));
        return stop;
    }
}
