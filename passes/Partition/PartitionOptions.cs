using DyCompile.Passes.Optimization;

namespace DyCompile.Passes.Partition;

/// <summary>Knobs of the partition pass.</summary>
public sealed record PartitionOptions
{
    /// <summary>If-conversion runs both sides of a branch unconditionally, so each side may cost
    /// at most this many estimated operations (catalog cost rules, dynamic dimensions counted as 1).
    /// The default admits a few elementwise ops on tensors of a few hundred elements: cheaper than a
    /// host round trip for the branch scalar.</summary>
    public long IfConversionFlopBudget { get; init; } = 4096;

    /// <summary>Turn if-conversion off (every branch stays a host decision).</summary>
    public bool IfConversion { get; init; } = true;

    /// <summary>Run every segment through the e-graph optimizer (<see cref="SegmentOptimizer"/>).</summary>
    public bool OptimizeSegments { get; init; } = true;

    /// <summary>The optimizer's settings for segments. Its time limit is per segment and short:
    /// compile time grows with the number of segments, and most of the gain comes early.</summary>
    public OptimizerOptions Optimizer { get; init; } = new() { TimeLimit = TimeSpan.FromMilliseconds(500) };

    /// <summary>Share one compiled body between structurally different segments with the same
    /// signature whose functional hashes agree and are confirmed (<see cref="SegmentSharing"/>).</summary>
    public bool FunctionalSharing { get; init; } = true;
}
