using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>The weight-only results of one call site on the device (<see cref="GpuSegmentPlan.Preparation"/>):
/// a device buffer per result that is not a view, which the program keeps for all its execution
/// states, and the upload generations of the weights they were computed from. They stay current
/// while those weights do: a weight marked modified, or replaced by a new state dict, is uploaded
/// again under a new generation, and the next call of the site computes them again — into the same
/// buffers when they are large enough.</summary>
internal sealed class PreparedResults(int count)
{
    private readonly MemoryBuffer1D<byte, Stride1D.Dense>?[] _buffers = new MemoryBuffer1D<byte, Stride1D.Dense>?[count];
    private long[]? _generations;

    /// <summary>The results by position in <see cref="GpuSegmentPlan.PreparedValues"/>, valid while
    /// <see cref="IsCurrent"/> holds.</summary>
    public DeviceTensor?[] Tensors { get; } = new DeviceTensor?[count];

    /// <summary>Whether the results were computed from the weights of <paramref name="generations"/>.</summary>
    public bool IsCurrent(ReadOnlySpan<long> generations) => _generations is { } known && known.AsSpan().SequenceEqual(generations);

    /// <summary>Forgets what the results were computed from (before computing them again, so a
    /// computation that fails is not taken for a current one).</summary>
    public void Invalidate() => _generations = null;

    /// <summary>Records that the results now hold what the weights of <paramref name="generations"/> give.</summary>
    public void Computed(long[] generations) => _generations = generations;

    /// <summary>The first <paramref name="bytes"/> of result <paramref name="index"/>'s buffer,
    /// replaced first by one large enough.</summary>
    public ArrayView<byte> Storage(Accelerator accelerator, AcceleratorStream stream, int index, long bytes)
    {
        var buffer = _buffers[index];
        if (buffer is null || buffer.Length < bytes)
        {
            if (buffer is not null)
            {
                // Work already queued may still read the old buffer.
                stream.Synchronize();
                buffer.Dispose();
            }
            GpuTransfers.Allocation();
            _buffers[index] = buffer = accelerator.Allocate1D<byte>(Math.Max(GpuSegmentPlan.Alignment, bytes));
        }
        return buffer.View.SubView(0, bytes);
    }
}
