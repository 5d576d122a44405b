using DyCompile.IR;

namespace DyCompile.Passes.Partition;

/// <summary>A call of a segment from the host: actual inputs, weights and the values it defines.</summary>
public sealed record SegmentCall(Segment Segment, IReadOnlyList<Value> Inputs, IReadOnlyList<Value> Weights, IReadOnlyList<Value> Outputs);

/// <summary>A block of the host program: host scalar ops that need nothing from the device
/// (<see cref="Before"/>), at most one segment call, host scalar ops on what the call read back
/// (<see cref="After"/>), and the block's terminator (the host's only decisions).</summary>
public sealed record HostBlock(string Name, IReadOnlyList<Value> Parameters, IReadOnlyList<Node> Before, SegmentCall? Call, IReadOnlyList<Node> After, Terminator Terminator)
{
    public string Ref => "^" + Name;
}
