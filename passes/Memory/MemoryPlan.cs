using DyCompile.IR;

namespace DyCompile.Passes.Memory;

/// <summary>Where a segment keeps its intermediate tensors: a set of preallocated buffers
/// (<see cref="Buffers"/>, each of a static type) and the buffer of each value that lives in one.
/// Values whose live ranges do not overlap share a buffer.</summary>
public sealed record MemoryPlan(IReadOnlyList<TensorType> Buffers, IReadOnlyDictionary<Value, int> BufferOf)
{
    public long TotalBytes => Buffers.Sum(b => b.Bytes);
}
