using DyCompile.Passes.Partition;

namespace DyCompile.Passes.Pipeline;

/// <summary>A partitioned program with a <see cref="PlannedSegment"/> for each of its distinct
/// segments: what a code generator renders.</summary>
public sealed class PlannedProgram(PartitionedProgram partition, IReadOnlyList<PlannedSegment> segments)
{
    public PartitionedProgram Partition { get; } = partition;

    /// <summary>One per distinct segment, in the order of <see cref="PartitionedProgram.Distinct"/>.</summary>
    public IReadOnlyList<PlannedSegment> Segments { get; } = segments;

    public string Name => Partition.Name;

    public PlannedSegment this[DistinctSegment segment] => Segments[segment.Index];

    /// <summary>The program before any per-segment pass ran.</summary>
    public static PlannedProgram Of(PartitionedProgram partition) => new(partition, [.. partition.Distinct.Select(d => new PlannedSegment(d))]);

    /// <summary>This program with every segment replaced by <paramref name="plan"/> of it.</summary>
    public PlannedProgram With(Func<PlannedSegment, PlannedSegment> plan) => new(Partition, [.. Segments.Select(plan)]);
}
