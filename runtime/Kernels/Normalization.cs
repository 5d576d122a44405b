using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Inference-mode batch normalization over channel dim 1:
    /// y = (x − mean) / √(var + eps) · weight + bias, folded into one scale and shift per channel.</summary>
    [OpKernel("batch_norm")]
    public static Tensor BatchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, float eps)
    {
        CheckBatchNorm(input, runningMean, runningVar, weight, bias);
        // Every element is written.
        var result = DenseArgs.Uninitialized(input.ShapeArray());
        BatchNormPlanes(input, runningMean, runningVar, weight, bias, eps, result, relu: false);
        return result;
    }

    /// <summary><see cref="BatchNorm"/> into a destination of the input's shape (a compiled
    /// segment's buffer, so a call allocates no result); it may be the input itself.</summary>
    public static void BatchNormInto(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, float eps, Tensor destination)
    {
        CheckBatchNorm(input, runningMean, runningVar, weight, bias);
        OperandChecks.Destination("batch_norm", destination, DType.Float32, input.Shape);
        BatchNormPlanes(input, runningMean, runningVar, weight, bias, eps, destination, relu: false);
    }

    /// <summary>destination = relu(<see cref="BatchNorm"/>(…)) in one pass over the tensor: each plane
    /// is clamped while it is still in cache (a pre-activation residual block's bn → relu, whose
    /// batch norm no convolution can absorb). The destination may be the input itself.</summary>
    public static void BatchNormReluInto(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, float eps, Tensor destination)
    {
        CheckBatchNorm(input, runningMean, runningVar, weight, bias);
        OperandChecks.Destination("batch_norm", destination, DType.Float32, input.Shape);
        BatchNormPlanes(input, runningMean, runningVar, weight, bias, eps, destination, relu: true);
    }

    private static void CheckBatchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias)
    {
        const string op = "batch_norm";
        DenseArgs.RequireFloat(op, input, "input");
        if (input.Rank < 2)
            throw new TensorOpException(op, $"input needs a channel dimension, got shape {Shapes.Format(input.Shape)}");
        var channels = input.Dim(1);
        foreach (var (t, name) in new[] { (runningMean, "runningMean"), (runningVar, "runningVar"), (weight, "weight"), (bias, "bias") })
        {
            DenseArgs.RequireFloat(op, t, name);
            if (t.Rank != 1 || t.Dim(0) != channels)
                throw TensorOpException.ShapeMismatch(op, input.Shape, t.Shape, $"{name} must be [{channels}]");
        }
    }

    /// <summary>result = input · scale[c] + shift[c] (clamped at 0 with <paramref name="relu"/>) plane by plane, on the GEMM workers when the
    /// tensor is large (.NET's thread pool would wait for a core while those workers spin: 0.4 ms
    /// for a 256 KiB tensor between two convolutions).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BatchNormPlanes(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, float eps, Tensor result, bool relu)
    {
        if (result.Length == 0) return;
        var channels = input.Dim(1);
        var scale = new float[2 * channels];
        var mean = runningMean.Floats;
        var variance = runningVar.Floats;
        var w = weight.Floats;
        var b = bias.Floats;
        for (var c = 0; c < channels; c++)
        {
            scale[c] = w[c] / MathF.Sqrt(variance[c] + eps);
            scale[channels + c] = b[c] - mean[c] * scale[c];
        }
        var planes = input.Dim(0) * channels;
        var threads = result.Length >= 1 << 18 ? Environment.ProcessorCount : 1;
        fixed (float* src = (float[])input.Storage, dst = (float[])result.Storage, factors = scale)
        {
            var job = new ChannelAffinePlanes(src, dst, factors, channels, planes, result.Length / planes, threads == 1 ? 1 : Math.Min(planes, 4 * threads), relu);
            ConvJob<ChannelAffinePlanes>.Run(job, threads);
        }
    }

    /// <summary>dst = src · scale[c] + shift[c], clamped at 0 with <paramref name="relu"/>, over ranges of
    /// planes (scale, then shift, per channel at <c>factors</c>).</summary>
    private readonly unsafe struct ChannelAffinePlanes(float* src, float* dst, float* factors, int channels, int planes, int inner, int parts, bool relu) : IConvItems
    {
        public int Items => parts;

        public void RunItem(int item)
        {
            for (var plane = (int)((long)item * planes / parts); plane < (int)((long)(item + 1) * planes / parts); plane++)
            {
                var c = plane % channels;
                var y = new Span<float>(dst + (long)plane * inner, inner);
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(src + (long)plane * inner, inner), factors[c], y);
                TensorPrimitives.Add(y, factors[channels + c], y);
                if (relu) TensorPrimitives.Max(y, 0f, y);
            }
        }
    }

    /// <summary>Layer normalization over the last weight.Rank dims (which must equal weight's
    /// shape; bias has the same shape): y = (x − mean) / √(var + eps) · weight + bias with the
    /// biased variance.</summary>
    [OpKernel("layer_norm")]
    public static Tensor LayerNorm(Tensor input, Tensor weight, Tensor bias, float eps)
    {
        CheckLayerNorm(input, weight, bias);
        var result = Tensor.Zeros(input.ShapeArray());
        LayerNormRowsJob.Run(input, weight, bias, eps, result);
        return result;
    }

    /// <summary><see cref="LayerNorm"/> into a destination of the input's shape.</summary>
    public static void LayerNormInto(Tensor input, Tensor weight, Tensor bias, float eps, Tensor destination)
    {
        CheckLayerNorm(input, weight, bias);
        OperandChecks.Destination("layer_norm", destination, DType.Float32, input.Shape);
        LayerNormRowsJob.Run(input, weight, bias, eps, destination);
    }

    private static void CheckLayerNorm(Tensor input, Tensor weight, Tensor bias)
    {
        const string op = "layer_norm";
        DenseArgs.RequireFloat(op, input, "input");
        DenseArgs.RequireFloat(op, weight, "weight");
        DenseArgs.RequireFloat(op, bias, "bias");
        if (weight.Rank == 0 || weight.Rank > input.Rank || !input.Shape[^weight.Rank..].SequenceEqual(weight.Shape))
            throw TensorOpException.ShapeMismatch(op, input.Shape, weight.Shape, "the trailing dims of the input must equal the weight shape");
        if (!bias.Shape.SequenceEqual(weight.Shape))
            throw TensorOpException.ShapeMismatch(op, bias.Shape, weight.Shape, "bias and weight shapes differ");
    }

    /// <summary>Each row of weight.Length values normalized, on the calling thread (many rows are
    /// shared out over the cores by <see cref="LayerNormRowsJob"/>). Per row three sweeps over
    /// data in L1: the sum, the squared deviations from the mean (two passes keep the variance
    /// accurate when the mean is large compared to the spread), then (x − mean)·(rstd·γ) + β.
    /// <paramref name="vector"/> = false runs the scalar loops (tests of the portable path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void LayerNormRows(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y, bool vector)
    {
        var size = gamma.Length;
        if (size == 0 || x.Length == 0) return;
        var rows = x.Length / size;
        var width = Vector256<float>.Count;
        var vectorEnd = vector ? size - size % width : 0;
        ref var g = ref MemoryMarshal.GetReference(gamma);
        ref var b = ref MemoryMarshal.GetReference(beta);
        for (var r = 0; r < rows; r++)
        {
            ref var row = ref MemoryMarshal.GetReference(x.Slice(r * size, size));
            ref var dst = ref MemoryMarshal.GetReference(y.Slice(r * size, size));
            var acc = Vector256<float>.Zero;
            var i = 0;
            for (; i < vectorEnd; i += width) acc += Vector256.LoadUnsafe(ref row, (nuint)i);
            var sum = Vector256.Sum(acc);
            for (; i < size; i++) sum += Unsafe.Add(ref row, i);
            var mean = sum / size;

            var vMean = Vector256.Create(mean);
            acc = Vector256<float>.Zero;
            i = 0;
            for (; i < vectorEnd; i += width)
            {
                var d = Vector256.LoadUnsafe(ref row, (nuint)i) - vMean;
                acc = Vector256.FusedMultiplyAdd(d, d, acc);
            }
            var squares = Vector256.Sum(acc);
            for (; i < size; i++)
            {
                var d = Unsafe.Add(ref row, i) - mean;
                squares += d * d;
            }
            var rstd = 1f / MathF.Sqrt(squares / size + eps);

            var vRstd = Vector256.Create(rstd);
            i = 0;
            for (; i < vectorEnd; i += width)
            {
                var d = (Vector256.LoadUnsafe(ref row, (nuint)i) - vMean) * vRstd;
                Vector256.FusedMultiplyAdd(d, Vector256.LoadUnsafe(ref g, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
            }
            for (; i < size; i++)
                Unsafe.Add(ref dst, i) = MathF.FusedMultiplyAdd((Unsafe.Add(ref row, i) - mean) * rstd, Unsafe.Add(ref g, i), Unsafe.Add(ref b, i));
        }
    }
}
