using DyCompile.IR;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>batch_norm (inference: the running statistics, one scale and shift per channel, as
/// eagerly) and layer_norm over the trailing dims of the weight's shape: one group per row, the
/// mean and then the biased variance of the deviations (two passes, as eagerly), each a group
/// reduction.</summary>
[GpuKernel("batch_norm", "layer_norm")]
public sealed class NormalizationKernel : GpuOpKernel
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float> _batch;
    private readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> _layer;

    public NormalizationKernel(Accelerator accelerator) : base(accelerator)
    {
        _batch = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float>(BatchNorm);
        _layer = GroupReduce.UsesWarpShuffles(accelerator)
            ? accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(LayerNorm<ShuffleReduction>)
            : accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(LayerNorm<SharedMemoryReduction>);
    }

    [DeviceKernel]
    internal static void BatchNorm(Index1D i, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> variance,
        ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> y, int channels, int inner, float eps)
    {
        var c = i / inner % channels;
        var scale = weight[c] / MathF.Sqrt(variance[c] + eps);
        var shift = bias[c] - mean[c] * scale;
        y[i] = x[i] * scale + shift;
    }

    [DeviceKernel(typeof(ShuffleReduction), ExplicitlyGrouped = true, OpenCL = false)]
    [DeviceKernel(typeof(SharedMemoryReduction), ExplicitlyGrouped = true)]
    internal static void LayerNorm<TGroup>(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> y, int width, float eps)
        where TGroup : struct, IGroupReduction
    {
        var start = Grid.IdxX * width;
        var sum = 0f;
        for (var k = Group.IdxX; k < width; k += Group.DimX) sum += x[start + k];
        var mean = default(TGroup).All(sum, GroupReduce.Sum) / width;
        var squares = 0f;
        for (var k = Group.IdxX; k < width; k += Group.DimX)
        {
            var d = x[start + k] - mean;
            squares += d * d;
        }
        var rstd = 1f / MathF.Sqrt(default(TGroup).All(squares, GroupReduce.Sum) / width + eps);
        for (var k = Group.IdxX; k < width; k += Group.DimX)
            y[start + k] = (x[start + k] - mean) * (rstd * weight[k]) + bias[k];
    }

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var x = operands[0].Tensor;
        var eps = node.Attrs.GetFloat("eps");
        var count = KernelShapes.Count(x.Shape);
        if (count == 0) return;
        if (node.Op == "batch_norm")
        {
            var channels = x.Shape[1];
            var inner = count / (x.Shape[0] * channels);
            _batch(stream, count, x.Floats, operands[1].Tensor.Floats, operands[2].Tensor.Floats, operands[3].Tensor.Floats,
                operands[4].Tensor.Floats, results[0].Floats, channels, inner, eps);
            return;
        }
        var weight = operands[1].Tensor;
        var width = KernelShapes.Count(weight.Shape);
        if (width == 0) return;
        var config = new KernelConfig(count / width, KernelGroups.RowGroupSize(Accelerator, width));
        _layer(stream, config, x.Floats, weight.Floats, operands[2].Tensor.Floats, results[0].Floats, width, eps);
    }
}
