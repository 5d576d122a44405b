namespace DyCompile.Passes.EGraph;

/// <summary>
/// egg's backoff scheduler: a rule whose matches in one iteration exceed its match limit is
/// banned (its matches dropped) for its ban length of iterations. Each ban doubles both the
/// rule's match limit and its ban length (<c>limit &lt;&lt; timesBanned</c>), so an exploding rule
/// such as associativity gets rarer, larger turns instead of flooding the e-graph. When nothing
/// else changes, bans are shortened so banned rules get their turn before saturation is reported.
/// </summary>
public sealed class BackoffScheduler<TData> : IRewriteScheduler<TData>
{
    private readonly Dictionary<string, RuleState> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int MatchLimit, int BanLength)> _overrides = new(StringComparer.Ordinal);

    public BackoffScheduler(int matchLimit = 1000, int banLength = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(matchLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(banLength);
        MatchLimit = matchLimit;
        BanLength = banLength;
    }

    /// <summary>The default initial match limit of a rule.</summary>
    public int MatchLimit { get; }

    /// <summary>The default initial ban length of a rule, in iterations.</summary>
    public int BanLength { get; }

    /// <summary>Sets one rule's initial match limit and ban length.</summary>
    public BackoffScheduler<TData> WithRule(string ruleName, int matchLimit, int banLength)
    {
        _overrides[ruleName] = (matchLimit, banLength);
        return this;
    }

    /// <summary>The scheduler's record of a rule (all zero before its first search).</summary>
    public BackoffRuleStats GetStats(string ruleName) =>
        _rules.TryGetValue(ruleName, out var s)
            ? new BackoffRuleStats(s.TimesApplied, s.TimesBanned, s.BannedUntil, Shift(s.MatchLimit, s.TimesBanned), Shift(s.BanLength, s.TimesBanned))
            : new BackoffRuleStats(0, 0, 0, 0, 0);

    public IReadOnlyList<SearchMatches> Search(int iteration, EGraph<TData> egraph, Rewrite<TData> rule)
    {
        var state = StateOf(rule.Name);
        if (iteration < state.BannedUntil)
        {
            return [];
        }
        var threshold = Shift(state.MatchLimit, state.TimesBanned);
        var matches = rule.Search(egraph, threshold == int.MaxValue ? int.MaxValue : threshold + 1);
        var total = matches.Sum(m => m.Substs.Count);
        if (total > threshold)
        {
            state.BannedUntil = iteration + Shift(state.BanLength, state.TimesBanned);
            state.TimesBanned++;
            return [];
        }
        state.TimesApplied++;
        return matches;
    }

    public bool CanStop(int iteration)
    {
        var banned = _rules.Values.Where(s => s.BannedUntil > iteration).ToArray();
        if (banned.Length == 0)
        {
            return true;
        }
        // Nothing else is happening: move every ban earlier so the soonest one ends now.
        var delta = banned.Min(s => s.BannedUntil) - iteration;
        foreach (var state in banned)
        {
            state.BannedUntil -= delta;
        }
        return false;
    }

    public bool IsBanned(int iteration, Rewrite<TData> rule) =>
        _rules.TryGetValue(rule.Name, out var s) && s.BannedUntil > iteration;

    private RuleState StateOf(string name)
    {
        if (!_rules.TryGetValue(name, out var state))
        {
            var (limit, ban) = _overrides.TryGetValue(name, out var o) ? o : (MatchLimit, BanLength);
            _rules[name] = state = new RuleState { MatchLimit = limit, BanLength = ban };
        }
        return state;
    }

    private static int Shift(int value, int times) =>
        times >= 31 || value > (int.MaxValue >> times) ? int.MaxValue : value << times;

    private sealed class RuleState
    {
        public int MatchLimit;
        public int BanLength;
        public int TimesApplied;
        public int TimesBanned;
        public int BannedUntil;
    }
}

/// <summary>
/// A rule's backoff record: iterations whose matches it kept, bans so far, the first iteration
/// it may run again, and its current (doubled) match limit and ban length.
/// </summary>
public readonly record struct BackoffRuleStats(
    int TimesApplied, int TimesBanned, int BannedUntil, int CurrentMatchLimit, int CurrentBanLength);
