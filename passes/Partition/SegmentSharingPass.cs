using DyCompile.Passes.Pipeline;

namespace DyCompile.Passes.Partition;

/// <summary>Groups the (optimized) segments into the distinct segments that get compiled: by
/// canonical text, then, with <see cref="PartitionOptions.FunctionalSharing"/>, by confirmed
/// functional hash (<see cref="SegmentSharing"/>).</summary>
public sealed class SegmentSharingPass(PartitionOptions options) : IPass<PartitionedProgram, PartitionedProgram>
{
    public string Name => "share-segments";

    public PartitionedProgram Run(PartitionedProgram partition) =>
        SegmentRegrouping.Regroup(partition, s => (s.Graph, s.Optimization), new SegmentSharing(options.FunctionalSharing));

    public string Dump(PartitionedProgram partition) => partition.ToText(withBodies: true);
}
