using System.Runtime.InteropServices;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>Copies between host tensors and device storage, on a stream.</summary>
internal static class DeviceCopies
{
    public static void Upload(AcceleratorStream stream, Tensor source, ArrayView<byte> target)
    {
        var bytes = source.AsBytes();
        if (bytes.Length == 0) return;
        target.SubView(0, bytes.Length).CopyFromCPU(stream, ref MemoryMarshal.GetReference(bytes), bytes.Length);
        GpuTransfers.Upload();
    }

    /// <summary>A host tensor with the device tensor's elements (waits for the stream).</summary>
    public static unsafe Tensor Download(AcceleratorStream stream, DeviceTensor source)
    {
        var result = Tensor.Zeros(source.DType, [.. source.Shape]);
        var bytes = source.DType switch
        {
            DType.Float32 => MemoryMarshal.AsBytes(result.Floats),
            DType.Int32 => MemoryMarshal.AsBytes(result.Ints),
            DType.Int64 => MemoryMarshal.AsBytes(result.Longs),
            _ => MemoryMarshal.AsBytes(result.Bools),
        };
        if (bytes.Length > 0)
        {
            // Wait for the kernels that wrote the source, and keep the managed array pinned until
            // the copy has finished: without both, a run on ILGPU's CPU accelerator once read back
            // zeros for a result its kernel had just written.
            stream.Synchronize();
            fixed (byte* target = bytes)
            {
                source.Bytes.SubView(0, bytes.Length).CopyToCPU(stream, ref *target, bytes.Length);
                stream.Synchronize();
            }
            GpuTransfers.Download();
        }
        return result;
    }
}
