namespace DyCompile.Passes.EGraph;

/// <summary>
/// What one runner iteration did: e-graph size after its rebuild, per rule the matches the
/// scheduler kept and the applications that changed the e-graph, the rules banned in it, and
/// the time spent searching, applying and rebuilding.
/// </summary>
public sealed record IterationStats(
    int Index,
    int Nodes,
    int Classes,
    IReadOnlyDictionary<string, int> Matches,
    IReadOnlyDictionary<string, int> Applied,
    IReadOnlyList<string> Banned,
    int RebuildUnions,
    TimeSpan SearchTime,
    TimeSpan ApplyTime,
    TimeSpan RebuildTime)
{
    /// <summary>Applications that changed the e-graph, over all rules.</summary>
    public int TotalApplied => Applied.Values.Sum();
}
