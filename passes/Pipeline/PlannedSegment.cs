using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Memory;
using DyCompile.Passes.Partition;
using DyCompile.Passes.Preparation;

namespace DyCompile.Passes.Pipeline;

/// <summary>A distinct segment as the per-segment passes leave it for a code generator: its
/// weight-only work split off (<see cref="Preparation"/>), the per-call nodes grouped into steps
/// (<see cref="Steps"/>), and the buffers the steps write into (<see cref="Memory"/>). Each pass
/// fills in its part; a code generator takes a segment once every part is there.</summary>
public sealed record PlannedSegment(DistinctSegment Segment)
{
    public Graph Graph => Segment.Graph;

    /// <summary>Set by <see cref="WeightPreparationPass"/>.</summary>
    public WeightPreparation? Preparation { get; init; }

    /// <summary>Set by <see cref="FusionPass"/>: the steps of <see cref="WeightPreparation.PerCall"/>.</summary>
    public IReadOnlyList<FusionStep>? Steps { get; init; }

    /// <summary>Set by <see cref="MemoryPlanningPass"/>.</summary>
    public MemoryPlan? Memory { get; init; }

    /// <summary>Set by <see cref="MemoryPlanningPass"/>: the values the code generator writes into a
    /// destination (a planned buffer, or the caller's destination for a segment output).</summary>
    public IReadOnlySet<Value>? IntoDestination { get; init; }

    /// <summary>Whether every per-segment pass has run.</summary>
    public bool IsComplete => Preparation is not null && Steps is not null && Memory is not null && IntoDestination is not null;
}
