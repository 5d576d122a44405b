using DyCompile.Passes.Partition;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Passes.Optimization;

/// <summary>Runs every segment through the e-graph optimizer (<see cref="SegmentOptimizer"/>),
/// unless <see cref="PartitionOptions.OptimizeSegments"/> is off. Each call site's segment is
/// optimized with the program's value names, so the dump reads like the program.</summary>
public sealed class SegmentOptimizationPass(PartitionOptions options) : IPass<PartitionedProgram, PartitionedProgram>
{
    public string Name => "optimize-segments";

    public PartitionedProgram Run(PartitionedProgram partition) => !options.OptimizeSegments
        ? partition
        : SegmentRegrouping.Regroup(partition, s => SegmentOptimizer.Optimize(s.Graph, options.Optimizer), new SegmentSharing(functional: false));

    public string Dump(PartitionedProgram partition) =>
        string.Concat(partition.Segments.Select(s => $"// {s.Name}: {(s.Optimization is { } report ? report.ToString() : "not optimized")}\n"))
        + partition.ToText(withBodies: false);
}
