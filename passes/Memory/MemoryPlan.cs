using DyCompile.IR;

namespace DyCompile.Passes.Memory;

/// <summary>Where a segment keeps its intermediate tensors: a set of preallocated buffers
/// (<see cref="Buffers"/>, each of a static type) and the buffer of each value that lives in one.
/// Values whose live ranges do not overlap share a buffer; a view (<see cref="Views"/>) shares the
/// buffer of the value it views while both live, under its own shape.</summary>
public sealed record MemoryPlan(IReadOnlyList<TensorType> Buffers, IReadOnlyDictionary<Value, int> BufferOf, IReadOnlySet<Value> Views)
{
    public long TotalBytes => Buffers.Sum(b => b.Bytes);
}
