using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>A device buffer for a tensor whose size is known only at run time: grown to the largest
/// size asked for (by half again, so a slowly growing dim reallocates rarely), never shrunk, and
/// kept between calls.</summary>
internal sealed class GrownBuffer
{
    private MemoryBuffer1D<byte, Stride1D.Dense>? _buffer;

    /// <summary>The bytes it holds now (null while nothing was allocated).</summary>
    public DeviceRegion? Current => _buffer is null ? null : new DeviceRegion(_buffer, 0, _buffer.Length);

    /// <summary>The first <paramref name="bytes"/> of the buffer, grown first if it is smaller.</summary>
    public (ArrayView<byte> Storage, DeviceRegion Region) Get(Accelerator accelerator, AcceleratorStream stream, long bytes)
    {
        if (_buffer is null || _buffer.Length < bytes)
        {
            if (_buffer is not null)
            {
                // Work already queued may still read the old buffer.
                stream.Synchronize();
                _buffer.Dispose();
            }
            GpuTransfers.Allocation();
            _buffer = accelerator.Allocate1D<byte>(Math.Max(GpuSegmentPlan.Alignment, _buffer is null ? bytes : Math.Max(bytes, _buffer.Length * 3 / 2)));
        }
        return (_buffer.View.SubView(0, bytes), new DeviceRegion(_buffer, 0, bytes));
    }
}
