using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>Where element <c>i</c> (row-major over <see cref="Shape"/>) of a copy is read and
/// written: an offset plus the coordinates times each side's strides. Transpose, permute,
/// expand (stride 0), slice, narrow, concat and split are all this copy.</summary>
public struct CopyGeometry
{
    public int Rank;
    public Dims Shape;
    public Dims SourceStrides;
    public Dims TargetStrides;
    public int SourceOffset;
    public int TargetOffset;
}

/// <summary>The strided-copy kernel, loaded for 1-, 4- and 8-byte elements (bool, f32/i32, i64).</summary>
public sealed class StridedCopy
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<byte>, ArrayView<byte>, CopyGeometry> _bytes;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, CopyGeometry> _words;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<long>, ArrayView<long>, CopyGeometry> _longs;

    public StridedCopy(Accelerator accelerator)
    {
        _bytes = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<byte>, ArrayView<byte>, CopyGeometry>(Copy);
        _words = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, CopyGeometry>(Copy);
        _longs = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<long>, ArrayView<long>, CopyGeometry>(Copy);
    }

    [DeviceKernel(typeof(int))]
    internal static void Copy<T>(Index1D index, ArrayView<T> source, ArrayView<T> target, CopyGeometry g)
        where T : unmanaged
    {
        int rest = index;
        int from = g.SourceOffset, to = g.TargetOffset;
        for (var d = g.Rank - 1; d >= 0; d--)
        {
            var n = g.Shape.Get(d);
            var c = rest % n;
            rest /= n;
            from += c * g.SourceStrides.Get(d);
            to += c * g.TargetStrides.Get(d);
        }
        target[to] = source[from];
    }

    /// <summary>Copies <paramref name="shape"/> elements between two tensors of the same dtype.</summary>
    public void Launch(AcceleratorStream stream, DeviceTensor source, DeviceTensor target, IReadOnlyList<int> shape,
        IReadOnlyList<int> sourceStrides, int sourceOffset, IReadOnlyList<int> targetStrides, int targetOffset)
    {
        var count = KernelShapes.Count(shape);
        if (count == 0) return;
        var g = new CopyGeometry
        {
            Rank = shape.Count,
            Shape = Dims.From([.. shape]),
            SourceStrides = Dims.From([.. sourceStrides]),
            TargetStrides = Dims.From([.. targetStrides]),
            SourceOffset = sourceOffset,
            TargetOffset = targetOffset,
        };
        switch (source.DType.ElementSize())
        {
            case 1: _bytes(stream, count, source.Bytes, target.Bytes, g); break;
            case 4: _words(stream, count, source.As<int>(), target.As<int>(), g); break;
            default: _longs(stream, count, source.As<long>(), target.As<long>(), g); break;
        }
    }

    /// <summary>A dense copy of the whole tensor (reshape, squeeze, unsqueeze).</summary>
    public static void Dense(AcceleratorStream stream, DeviceTensor source, DeviceTensor target)
    {
        if (source.Bytes.Length == 0) return;
        source.Bytes.CopyTo(stream, target.Bytes);
    }
}
