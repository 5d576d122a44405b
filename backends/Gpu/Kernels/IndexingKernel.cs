using DyCompile.IR;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>Where a gathered element comes from: the result coordinates times
/// <see cref="SourceStrides"/>, plus the index value times <see cref="SelectStride"/>; the index
/// value is read at the coordinates times <see cref="IndexStrides"/>.</summary>
public struct GatherGeometry
{
    public int Rank;
    public Dims Shape;
    public Dims SourceStrides;
    public Dims IndexStrides;
    public int SelectStride;
    /// <summary>Index values must lie in [0, SelectSize).</summary>
    public int SelectSize;
    public int IndexIsLong;
}

/// <summary>gather, index_select and embedding: one copy kernel whose source position depends on
/// an index tensor (i32 or i64). An index out of range, which the eager kernel rejects, yields a
/// zero element instead of reading outside the tensor (a kernel cannot throw).</summary>
[GpuKernel("gather", "index_select", "embedding")]
public sealed class IndexingKernel : GpuOpKernel
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<byte>, ArrayView<int>, ArrayView<long>, ArrayView<byte>, GatherGeometry> _bytes;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, GatherGeometry> _words;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<long>, ArrayView<int>, ArrayView<long>, ArrayView<long>, GatherGeometry> _longs;

    public IndexingKernel(Accelerator accelerator) : base(accelerator)
    {
        _bytes = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<byte>, ArrayView<int>, ArrayView<long>, ArrayView<byte>, GatherGeometry>(Gather);
        _words = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, GatherGeometry>(Gather);
        _longs = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<long>, ArrayView<int>, ArrayView<long>, ArrayView<long>, GatherGeometry>(Gather);
    }

    [DeviceKernel(typeof(float))]
    internal static void Gather<T>(Index1D index, ArrayView<T> source, ArrayView<int> index32, ArrayView<long> index64, ArrayView<T> target, GatherGeometry g)
        where T : unmanaged
    {
        int rest = index;
        int from = 0, at = 0;
        for (var d = g.Rank - 1; d >= 0; d--)
        {
            var n = g.Shape.Get(d);
            var c = rest % n;
            rest /= n;
            from += c * g.SourceStrides.Get(d);
            at += c * g.IndexStrides.Get(d);
        }
        var v = g.IndexIsLong != 0 ? index64[at] : index32[at];
        target[index] = v >= 0 && v < g.SelectSize ? source[from + (int)v * g.SelectStride] : default;
    }

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var y = results[0];
        var count = KernelShapes.Count(y.Shape);
        if (count == 0) return;
        DeviceTensor x, index;
        int[] sourceStrides, indexStrides;
        int selectStride, selectSize;
        if (node.Op == "embedding")
        {
            (index, x) = (operands[0].Tensor, operands[1].Tensor);
            var width = x.Shape[1];
            sourceStrides = new int[y.Rank];
            sourceStrides[^1] = 1;
            indexStrides = [.. KernelShapes.ContiguousStrides(index.Shape), 0];
            (selectStride, selectSize) = (width, x.Shape[0]);
        }
        else
        {
            (x, index) = (operands[0].Tensor, operands[1].Tensor);
            var dim = KernelShapes.Axis(node.Op, node.Attrs.GetInt("dim"), x.Rank);
            var strides = KernelShapes.ContiguousStrides(x.Shape);
            sourceStrides = (int[])strides.Clone();
            sourceStrides[dim] = 0;
            if (node.Op == "gather")
            {
                indexStrides = KernelShapes.ContiguousStrides(index.Shape);
            }
            else
            {
                indexStrides = new int[y.Rank];
                if (index.Rank == 1) indexStrides[dim] = 1;
            }
            (selectStride, selectSize) = (strides[dim], x.Shape[dim]);
        }
        var g = new GatherGeometry
        {
            Rank = y.Rank,
            Shape = Dims.From(y.Shape.AsSpan()),
            SourceStrides = Dims.From(sourceStrides),
            IndexStrides = Dims.From(indexStrides),
            SelectStride = selectStride,
            SelectSize = selectSize,
            IndexIsLong = index.DType == DType.Int64 ? 1 : 0,
        };
        var (i32, i64) = (index.As<int>(), index.As<long>());
        switch (x.DType.ElementSize())
        {
            case 1: _bytes(stream, count, x.Bytes, i32, i64, y.Bytes, g); break;
            case 4: _words(stream, count, x.As<int>(), i32, i64, y.As<int>(), g); break;
            default: _longs(stream, count, x.As<long>(), i32, i64, y.As<long>(), g); break;
        }
    }
}
