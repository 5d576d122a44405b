namespace DyCompile.Passes.EGraph;

/// <summary>Decides, per iteration, which matches of a rule the runner applies.</summary>
public interface IRewriteScheduler<TData>
{
    /// <summary>The matches of <paramref name="rule"/> to apply in <paramref name="iteration"/>.</summary>
    IReadOnlyList<SearchMatches> Search(int iteration, EGraph<TData> egraph, Rewrite<TData> rule);

    /// <summary>
    /// Asked when an iteration changed nothing: true lets the runner report saturation; false
    /// (e.g. rules are still banned) runs another iteration.
    /// </summary>
    bool CanStop(int iteration);

    /// <summary>Whether the rule is banned in this iteration (reported in the statistics).</summary>
    bool IsBanned(int iteration, Rewrite<TData> rule) => false;
}
