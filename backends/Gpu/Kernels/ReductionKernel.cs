using DyCompile.IR;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>Output element <c>o</c> (row-major over the kept dims) reduces the elements at
/// <c>o</c>'s coordinates times <see cref="KeptStrides"/> plus each reduced coordinate times
/// <see cref="ReducedStrides"/>.</summary>
public struct ReductionGeometry
{
    public int KeptRank;
    public Dims KeptShape;
    public Dims KeptStrides;
    public int ReducedRank;
    public Dims ReducedShape;
    public Dims ReducedStrides;
    public int ReducedCount;
    public int Op;
    public int Mean;

    public readonly int OuterBase(int o)
    {
        var at = 0;
        for (var d = KeptRank - 1; d >= 0; d--)
        {
            var n = KeptShape.Get(d);
            at += o % n * KeptStrides.Get(d);
            o /= n;
        }
        return at;
    }

    public readonly int InnerOffset(int r)
    {
        var at = 0;
        for (var d = ReducedRank - 1; d >= 0; d--)
        {
            var n = ReducedShape.Get(d);
            at += r % n * ReducedStrides.Get(d);
            r /= n;
        }
        return at;
    }
}

/// <summary>sum, mean, max and min over a dim list: one group per output element, each thread
/// striding over the reduced elements, then a group reduction (warp shuffles). f32 accumulates in
/// f32; integers and bools in 64 bits (sum gives i64, as in PyTorch; max and min keep the dtype).
/// Max and min propagate NaN.</summary>
[GpuKernel("sum", "mean", "max", "min")]
public sealed class ReductionKernel : GpuOpKernel
{
    private readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ReductionGeometry> _floats;
    private readonly Action<AcceleratorStream, KernelConfig, AnyView, AnyView, ReductionGeometry> _integers;

    public ReductionKernel(Accelerator accelerator) : base(accelerator)
    {
        var shuffles = GroupReduce.UsesWarpShuffles(accelerator);
        _floats = shuffles
            ? accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ReductionGeometry>(ReduceFloats<ShuffleReduction>)
            : accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ReductionGeometry>(ReduceFloats<SharedMemoryReduction>);
        _integers = shuffles
            ? accelerator.LoadKernel<AnyView, AnyView, ReductionGeometry>(ReduceIntegers<ShuffleReduction>)
            : accelerator.LoadKernel<AnyView, AnyView, ReductionGeometry>(ReduceIntegers<SharedMemoryReduction>);
    }

    [DeviceKernel(typeof(ShuffleReduction), ExplicitlyGrouped = true, OpenCL = false)]
    [DeviceKernel(typeof(SharedMemoryReduction), ExplicitlyGrouped = true)]
    internal static void ReduceFloats<TGroup>(ArrayView<float> x, ArrayView<float> y, ReductionGeometry g)
        where TGroup : struct, IGroupReduction
    {
        var o = Grid.IdxX;
        var outer = g.OuterBase(o);
        var acc = GroupReduce.Identity(g.Op);
        for (var r = Group.IdxX; r < g.ReducedCount; r += Group.DimX)
            acc = GroupReduce.Combine(acc, x[outer + g.InnerOffset(r)], g.Op);
        acc = default(TGroup).All(acc, g.Op);
        if (Group.IdxX == 0) y[o] = g.Mean != 0 ? acc / g.ReducedCount : acc;
    }

    [DeviceKernel(typeof(ShuffleReduction), ExplicitlyGrouped = true, OpenCL = false)]
    [DeviceKernel(typeof(SharedMemoryReduction), ExplicitlyGrouped = true)]
    internal static void ReduceIntegers<TGroup>(AnyView x, AnyView y, ReductionGeometry g)
        where TGroup : struct, IGroupReduction
    {
        var o = Grid.IdxX;
        var outer = g.OuterBase(o);
        var acc = GroupReduce.IdentityLong(g.Op);
        for (var r = Group.IdxX; r < g.ReducedCount; r += Group.DimX)
            acc = GroupReduce.Combine(acc, x.ReadLong(outer + g.InnerOffset(r)), g.Op);
        acc = default(TGroup).All(acc, g.Op);
        if (Group.IdxX == 0) y.WriteLong(o, acc);
    }

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var x = operands[0].Tensor;
        var y = results[0];
        var outputs = KernelShapes.Count(y.Shape);
        if (outputs == 0) return;
        var dims = node.Attrs.GetInts("dims").Select(d => KernelShapes.Axis(node.Op, d, x.Rank)).ToHashSet();
        if (dims.Count == 0 || x.Rank == 0) dims = [.. Enumerable.Range(0, x.Rank)];
        var strides = KernelShapes.ContiguousStrides(x.Shape);
        var kept = Enumerable.Range(0, x.Rank).Where(d => !dims.Contains(d)).ToArray();
        var reduced = Enumerable.Range(0, x.Rank).Where(dims.Contains).ToArray();
        var count = KernelShapes.Count(reduced.Select(d => x.Shape[d]));
        var g = new ReductionGeometry
        {
            KeptRank = kept.Length,
            KeptShape = Dims.From(kept.Select(d => x.Shape[d])),
            KeptStrides = Dims.From(kept.Select(d => strides[d])),
            ReducedRank = reduced.Length,
            ReducedShape = Dims.From(reduced.Select(d => x.Shape[d])),
            ReducedStrides = Dims.From(reduced.Select(d => strides[d])),
            ReducedCount = count,
            Op = node.Op switch { "max" => GroupReduce.Max, "min" => GroupReduce.Min, _ => GroupReduce.Sum },
            Mean = node.Op == "mean" ? 1 : 0,
        };
        var config = new KernelConfig(outputs, KernelGroups.RowGroupSize(Accelerator, count));
        if (x.DType == DType.Float32) _floats(stream, config, x.Floats, y.Floats, g);
        else _integers(stream, config, AnyView.Of(x), AnyView.Of(y), g);
    }
}
