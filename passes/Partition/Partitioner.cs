using DyCompile.IR;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Passes.Partition;

/// <summary>The DyCL partition of a program whose control flow is already simplified
/// (<see cref="ControlFlowSimplifier"/>): each block splits into host scalar ops that need nothing
/// from the device, one segment with everything else, and host scalar ops on the values the
/// segment reads back. Segment inputs and outputs follow from block parameters and uses: values
/// only cross blocks as block arguments, so a block's uses are its liveness. Segments with the same
/// canonical text (<see cref="StructuralHash"/>) share one <see cref="DistinctSegment"/>; the
/// optimizer and functional sharing are later passes (<see cref="PassPipeline"/>).</summary>
public static class Partitioner
{
    /// <summary>The partition half of the pipeline, for tools that want a partitioned program
    /// (verify, fold, simplify control flow, split, optimize segments, share): see
    /// <see cref="PassPipeline.Partition"/>.</summary>
    public static PartitionedProgram Partition(IRProgram program, PartitionOptions? options = null) =>
        PassPipeline.Partition(program, options ?? new PartitionOptions());

    /// <summary>Splits each block of <paramref name="simplified"/> (the program after control-flow
    /// simplification of <paramref name="original"/>) into host code and at most one segment.</summary>
    public static PartitionedProgram Split(IRProgram original, IRProgram simplified)
    {
        var sharing = new SegmentSharing(functional: false);
        var segments = new List<Segment>();
        var hostBlocks = new List<HostBlock>();
        foreach (var block in simplified.Blocks)
            hostBlocks.Add(Split(block, segments, sharing));
        return new PartitionedProgram(original, simplified, segments, sharing.Distinct, hostBlocks);
    }

    /// <summary>Host scalar ops (and scalar constants) may run on the host; tensor ops, <c>item</c>
    /// and <c>tensor.from_scalar</c> run in a segment.
    /// A <c>host.call</c> (an eager region with side effects) stays in the segment, in program
    /// order with everything else.</summary>
    public static bool IsHostOp(Node node) => node.Def switch
    {
        { Kind: OpKind.Host } => node.Op is not ("tensor.from_scalar" or "host.call"),
        { Kind: OpKind.Const } => node.Results.All(r => r.Type is ScalarType),
        _ => false,
    };

    private static HostBlock Split(Block block, List<Segment> segments, SegmentSharing sharing)
    {
        var nodes = block.Nodes.ToList();
        var onHost = new HashSet<Value>(block.Parameters.Where(p => p.Type is ScalarType));
        var before = new HashSet<Node>();
        foreach (var node in nodes)
        {
            if (!IsHostOp(node) || !node.Operands.All(onHost.Contains)) continue;
            before.Add(node);
            onHost.UnionWith(node.Results);
        }

        var inSegment = new HashSet<Node>();
        var needed = new HashSet<Value>();
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            var node = nodes[i];
            if (before.Contains(node)) continue;
            if (IsHostOp(node) && !node.Results.Any(needed.Contains)) continue;
            inSegment.Add(node);
            needed.UnionWith(node.Operands);
        }
        var after = nodes.Where(n => !before.Contains(n) && !inSegment.Contains(n)).ToList();
        var body = nodes.Where(inSegment.Contains).ToList();

        SegmentCall? call = null;
        if (body.Count > 0)
        {
            var defined = body.SelectMany(n => n.Results).ToHashSet();
            var inputs = body.SelectMany(n => n.Operands).Where(v => !v.IsWeight && !defined.Contains(v)).Distinct().ToList();
            var usedWeights = body.SelectMany(n => n.Operands).Where(v => v.IsWeight).Distinct().ToList();
            var outputs = after.SelectMany(n => n.Operands).Concat(block.Terminator!.Uses).Where(defined.Contains).Distinct().ToList();
            var graph = new Graph(block.Name, inputs, usedWeights, body, outputs);
            var segment = new Segment(segments.Count, block.Name, graph, sharing.Classify(StructuralHash.Canonicalize(graph)));
            segments.Add(segment);
            call = new SegmentCall(segment, inputs, usedWeights, outputs);
        }
        return new HostBlock(block.Name, block.Parameters, [.. nodes.Where(before.Contains)], call, after, block.Terminator!);
    }
}
