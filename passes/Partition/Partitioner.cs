using DyCompile.IR;

namespace DyCompile.Passes.Partition;

/// <summary>The DyCL partition of a program into static segments and a host program. First the
/// control flow is simplified (<see cref="ControlFlowSimplifier"/>: chains merge, cheap branches
/// are if-converted), then each remaining block splits into host scalar ops that need nothing
/// from the device, one segment with everything else, and host scalar ops on the values the
/// segment reads back. Segment inputs and outputs follow from block parameters and uses: values
/// only cross blocks as block arguments, so a block's uses are its liveness. Segments with the
/// same canonical text (<see cref="StructuralHash"/>) share one <see cref="DistinctSegment"/>.</summary>
public static class Partitioner
{
    public static PartitionedProgram Partition(Program program, PartitionOptions? options = null)
    {
        var simplified = ControlFlowSimplifier.Simplify(program, options);
        var distinct = new Dictionary<string, DistinctSegment>();
        var segments = new List<Segment>();
        var hostBlocks = new List<HostBlock>();
        foreach (var block in simplified.Blocks)
            hostBlocks.Add(Split(block, simplified.Weights, segments, distinct));
        return new PartitionedProgram(program, simplified, segments, [.. distinct.Values.OrderBy(d => d.Index)], hostBlocks);
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

    private static HostBlock Split(Block block, IReadOnlyList<Value> weights, List<Segment> segments, Dictionary<string, DistinctSegment> distinct)
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
            var canonical = StructuralHash.Canonicalize(graph);
            var key = StructuralHash.Key(canonical);
            if (!distinct.TryGetValue(key, out var shared))
                distinct[key] = shared = new DistinctSegment(distinct.Count, canonical, key);
            var segment = new Segment(segments.Count, block.Name, graph, shared);
            segments.Add(segment);
            call = new SegmentCall(segment, inputs, usedWeights, outputs);
        }
        return new HostBlock(block.Name, block.Parameters, [.. nodes.Where(before.Contains)], call, after, block.Terminator!);
    }
}
