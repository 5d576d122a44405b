namespace DyCompile.Passes.Optimization;

/// <summary>
/// The optimized graph does not compute what the original does: some rule is unsound. The message
/// names the rules applied and, among them, the suspects — rules that reproduce the mismatch alone.
/// </summary>
public sealed class OptimizerSelfCheckException(string graph, string difference, IReadOnlyList<string> rulesApplied, IReadOnlyList<string> suspects)
    : Exception($"optimizing @{graph} changed its results ({difference}); rules applied: {string.Join(", ", rulesApplied)}"
        + (suspects.Count > 0 ? $"; the mismatch reproduces with {string.Join(", ", suspects)} alone" : ""))
{
    public IReadOnlyList<string> RulesApplied { get; } = rulesApplied;

    public IReadOnlyList<string> Suspects { get; } = suspects;

    public string Difference { get; } = difference;
}
