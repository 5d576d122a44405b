using DyCompile.IR;
using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Optimization;

/// <summary>What one optimization did.</summary>
public sealed record OptimizationReport(
    IReadOnlyDictionary<string, int> RulesFired,
    int EGraphNodes,
    int EGraphClasses,
    int Iterations,
    StopReason StopReason,
    double CostBefore,
    double CostAfter,
    bool ExtractionExact)
{
    /// <summary>The self-check ran and passed (false when it was off, or the sampled inputs could not run the graph).</summary>
    public bool SelfChecked { get; init; }

    /// <summary>Why the graph was returned without running the e-graph (null when it ran).</summary>
    public string? Skipped { get; init; }

    public override string ToString() => Skipped is not null ? $"not optimized: {Skipped}" :
        $"cost {CostBefore:0} -> {CostAfter:0}; {Iterations} iteration(s), stopped: {StopReason}; e-graph {EGraphNodes} nodes / {EGraphClasses} classes; "
        + $"rules: {(RulesFired.Count == 0 ? "none" : string.Join(", ", RulesFired.Select(kv => $"{kv.Key}×{kv.Value}")))}";
}

/// <summary>The optimized graph and its report.</summary>
public sealed record OptimizationResult(Graph Graph, OptimizationReport Report);
