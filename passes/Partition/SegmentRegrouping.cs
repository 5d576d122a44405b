using DyCompile.IR;
using DyCompile.Passes.Optimization;

namespace DyCompile.Passes.Partition;

/// <summary>A partitioned program with each segment's graph rewritten and the segments grouped
/// again into distinct segments. A rewritten graph keeps the segment's inputs and outputs
/// positionally (the host still passes and receives the program's values) but may read fewer
/// weights, so each call site passes the weights its new graph reads.</summary>
internal static class SegmentRegrouping
{
    public static PartitionedProgram Regroup(PartitionedProgram program, Func<Segment, (Graph Graph, OptimizationReport? Report)> rewrite, SegmentSharing sharing)
    {
        var replaced = new Dictionary<Segment, Segment>();
        var segments = new List<Segment>();
        foreach (var segment in program.Segments)
        {
            var (graph, report) = rewrite(segment);
            var regrouped = new Segment(segment.Index, segment.Block, graph, sharing.Classify(StructuralHash.Canonicalize(graph))) { Optimization = report };
            replaced[segment] = regrouped;
            segments.Add(regrouped);
        }
        var host = program.Host.Select(block => block.Call is { } call
            ? block with { Call = new SegmentCall(replaced[call.Segment], call.Inputs, [.. replaced[call.Segment].Graph.Weights], call.Outputs) }
            : block).ToList();
        return new PartitionedProgram(program.Original, program.Simplified, segments, sharing.Distinct, host) { FunctionallyShared = sharing.FunctionalHits };
    }
}
