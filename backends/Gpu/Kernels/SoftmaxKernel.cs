using DyCompile.IR;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>softmax and log_softmax along a dim: one group per row; the row's max, then the sum
/// of exp(x − max), each a group reduction (warp shuffles), then one pass that writes
/// exp(x − max) / sum or x − max − log(sum).</summary>
[GpuKernel("softmax", "log_softmax")]
public sealed class SoftmaxKernel : GpuOpKernel
{
    private readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, RowGeometry, int> _softmax;

    public SoftmaxKernel(Accelerator accelerator) : base(accelerator) =>
        _softmax = GroupReduce.UsesWarpShuffles(accelerator)
            ? accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, RowGeometry, int>(Softmax<ShuffleReduction>)
            : accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, RowGeometry, int>(Softmax<SharedMemoryReduction>);

    [DeviceKernel(typeof(ShuffleReduction), ExplicitlyGrouped = true, OpenCL = false)]
    [DeviceKernel(typeof(SharedMemoryReduction), ExplicitlyGrouped = true)]
    internal static void Softmax<TGroup>(ArrayView<float> x, ArrayView<float> y, RowGeometry g, int log)
        where TGroup : struct, IGroupReduction
    {
        var start = g.Base(Grid.IdxX);
        var max = float.NegativeInfinity;
        for (var k = Group.IdxX; k < g.Size; k += Group.DimX)
            max = GroupReduce.Combine(max, x[start + k * g.Inner], GroupReduce.Max);
        max = default(TGroup).All(max, GroupReduce.Max);
        var sum = 0f;
        for (var k = Group.IdxX; k < g.Size; k += Group.DimX)
            sum += MathF.Exp(x[start + k * g.Inner] - max);
        sum = default(TGroup).All(sum, GroupReduce.Sum);
        if (log != 0)
        {
            var shift = max + MathF.Log(sum);
            for (var k = Group.IdxX; k < g.Size; k += Group.DimX)
                y[start + k * g.Inner] = x[start + k * g.Inner] - shift;
        }
        else
        {
            var scale = 1f / sum;
            for (var k = Group.IdxX; k < g.Size; k += Group.DimX)
                y[start + k * g.Inner] = MathF.Exp(x[start + k * g.Inner] - max) * scale;
        }
    }

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var x = operands[0].Tensor;
        var axis = KernelShapes.Axis(node.Op, node.Attrs.GetInt("dim"), x.Rank);
        var (outer, size, inner) = KernelShapes.AroundAxis(x.Shape, axis);
        var rows = outer * inner;
        if (rows == 0 || size == 0) return;
        var config = new KernelConfig(rows, KernelGroups.RowGroupSize(Accelerator, size));
        _softmax(stream, config, x.Floats, results[0].Floats, new RowGeometry { Size = size, Inner = inner }, node.Op == "log_softmax" ? 1 : 0);
    }
}
