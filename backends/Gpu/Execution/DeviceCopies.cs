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
    public static Tensor Download(AcceleratorStream stream, DeviceTensor source)
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
            source.Bytes.SubView(0, bytes.Length).CopyToCPU(stream, ref MemoryMarshal.GetReference(bytes), bytes.Length);
            GpuTransfers.Download();
        }
        return result;
    }

    /// <summary>The one element of a device tensor as a float, as <c>item</c> reads it (waits for the stream).</summary>
    public static float ReadScalar(AcceleratorStream stream, DeviceTensor source)
    {
        if (source.Length != 1)
            throw new TensorOpException("item", $"needs a tensor with one element, got shape [{string.Join(", ", source.Shape)}]");
        Span<byte> bytes = stackalloc byte[8];
        var size = source.DType.ElementSize();
        source.Bytes.SubView(0, size).CopyToCPU(stream, ref bytes[0], size);
        stream.Synchronize();
        GpuTransfers.ScalarRead();
        return source.DType switch
        {
            DType.Float32 => MemoryMarshal.Read<float>(bytes),
            DType.Int32 => MemoryMarshal.Read<int>(bytes),
            DType.Int64 => MemoryMarshal.Read<long>(bytes),
            _ => bytes[0] != 0 ? 1f : 0f,
        };
    }
}
