using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Max over sliding windows of an NCHW (or CHW) input. stride empty means the
    /// kernel size; padding counts as −∞ and may be at most half the kernel (as in PyTorch).</summary>
    [OpKernel("max_pool2d")]
    public static Tensor MaxPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding)
    {
        var windows = PoolSetup("max_pool2d", input, kernelSize, stride, padding);
        var result = DenseArgs.Uninitialized(windows.OutputShape(input));
        PoolPlanes(input, result, windows, average: false);
        return result;
    }

    /// <summary><see cref="MaxPool2d"/> into a caller-owned destination of the result's shape
    /// (a compiled segment's buffer); it must not overlap the input.</summary>
    public static void MaxPool2dInto(Tensor input, int[] kernelSize, int[] stride, int[] padding, Tensor destination)
    {
        var windows = PoolSetup("max_pool2d", input, kernelSize, stride, padding);
        OperandChecks.Destination("max_pool2d", destination, DType.Float32, windows.OutputShape(input));
        PoolPlanes(input, destination, windows, average: false);
    }

    /// <summary>Average over sliding windows of an NCHW (or CHW) input. Padding counts as zeros
    /// and the divisor is always the full window (count_include_pad, PyTorch's default).</summary>
    [OpKernel("avg_pool2d")]
    public static Tensor AvgPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding)
    {
        var windows = PoolSetup("avg_pool2d", input, kernelSize, stride, padding);
        var result = DenseArgs.Uninitialized(windows.OutputShape(input));
        PoolPlanes(input, result, windows, average: true);
        return result;
    }

    /// <summary><see cref="AvgPool2d"/> into a caller-owned destination of the result's shape;
    /// it must not overlap the input.</summary>
    public static void AvgPool2dInto(Tensor input, int[] kernelSize, int[] stride, int[] padding, Tensor destination)
    {
        var windows = PoolSetup("avg_pool2d", input, kernelSize, stride, padding);
        OperandChecks.Destination("avg_pool2d", destination, DType.Float32, windows.OutputShape(input));
        PoolPlanes(input, destination, windows, average: true);
    }

    /// <summary>Adaptive average pooling to outputSize (1 or 2 values): output cell i covers input
    /// rows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉), likewise for columns.</summary>
    [OpKernel("adaptive_avg_pool2d")]
    public static Tensor AdaptiveAvgPool2d(Tensor input, int[] outputSize)
    {
        var windows = AdaptiveSetup("adaptive_avg_pool2d", input, outputSize);
        var result = DenseArgs.Uninitialized(windows.OutputShape(input));
        PoolPlanes(input, result, windows, average: true);
        return result;
    }

    /// <summary><see cref="AdaptiveAvgPool2d"/> into a caller-owned destination of the result's shape.</summary>
    public static void AdaptiveAvgPool2dInto(Tensor input, int[] outputSize, Tensor destination)
    {
        var windows = AdaptiveSetup("adaptive_avg_pool2d", input, outputSize);
        OperandChecks.Destination("adaptive_avg_pool2d", destination, DType.Float32, windows.OutputShape(input));
        PoolPlanes(input, destination, windows, average: true);
    }

    /// <summary>Adaptive max pooling with the same windows as <see cref="AdaptiveAvgPool2d"/>.</summary>
    [OpKernel("adaptive_max_pool2d")]
    public static Tensor AdaptiveMaxPool2d(Tensor input, int[] outputSize)
    {
        var windows = AdaptiveSetup("adaptive_max_pool2d", input, outputSize);
        var result = DenseArgs.Uninitialized(windows.OutputShape(input));
        PoolPlanes(input, result, windows, average: false);
        return result;
    }

    /// <summary><see cref="AdaptiveMaxPool2d"/> into a caller-owned destination of the result's shape.</summary>
    public static void AdaptiveMaxPool2dInto(Tensor input, int[] outputSize, Tensor destination)
    {
        var windows = AdaptiveSetup("adaptive_max_pool2d", input, outputSize);
        OperandChecks.Destination("adaptive_max_pool2d", destination, DType.Float32, windows.OutputShape(input));
        PoolPlanes(input, destination, windows, average: false);
    }

    private static PoolWindows PoolSetup(string op, Tensor input, int[] kernelSize, int[] stride, int[] padding)
    {
        RequirePoolInput(op, input);
        var (kh, kw) = DenseArgs.Pair(op, "kernelSize", kernelSize);
        var (sh, sw) = DenseArgs.Pair(op, "stride", stride, (kh, kw));
        var (ph, pw) = DenseArgs.Pair(op, "padding", padding, (0, 0));
        if (ph * 2 > kh || pw * 2 > kw)
            throw new TensorOpException(op, $"padding ({ph}, {pw}) must be at most half the kernel ({kh}, {kw}) for input of shape {Shapes.Format(input.Shape)}");
        int height = input.Dim(-2), width = input.Dim(-1);
        var outHeight = DenseArgs.WindowOutput(op, input, height, kh, sh, ph, 1);
        var outWidth = DenseArgs.WindowOutput(op, input, width, kw, sw, pw, 1);
        return PoolWindows.Sliding(height, width, outHeight, outWidth, kh, kw, sh, sw, ph, pw);
    }

    private static PoolWindows AdaptiveSetup(string op, Tensor input, int[] outputSize)
    {
        RequirePoolInput(op, input);
        var (outHeight, outWidth) = DenseArgs.Pair(op, "outputSize", outputSize);
        int height = input.Dim(-2), width = input.Dim(-1);
        if (outHeight < 0 || outWidth < 0 || ((height == 0 || width == 0) && outHeight * outWidth > 0))
            throw new TensorOpException(op, $"cannot pool input of shape {Shapes.Format(input.Shape)} to [{outHeight}, {outWidth}]");
        return PoolWindows.Adaptive(height, width, outHeight, outWidth);
    }

    private static void RequirePoolInput(string op, Tensor input)
    {
        DenseArgs.RequireFloat(op, input, "input");
        if (input.Rank is not (3 or 4))
            throw new TensorOpException(op, $"input must be CHW or NCHW, got shape {Shapes.Format(input.Shape)}");
    }

    /// <summary>Pools every plane (see <see cref="PoolPlaneItems"/>): on the GEMM workers when the
    /// planes are many and large enough to pay a fork/join, else on the calling thread. (The .NET
    /// thread pool is not used: on a loaded machine a pool thread preempted in the middle of its
    /// planes holds the whole call up for milliseconds, a hundred times the pooling itself.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PoolPlanes(Tensor input, Tensor result, PoolWindows windows, bool average)
    {
        if (result.Length == 0) return;
        var planeIn = windows.Height * windows.Width;
        var planeOut = windows.OutHeight * windows.OutWidth;
        var planes = result.Length / planeOut;
        var threads = Environment.ProcessorCount;
        var parallel = threads > 1 && planes > 1 && (long)planes * (planeIn + planeOut) >= PoolParallelFloats;
        var items = new PoolPlaneItems((float[])input.Storage, (float[])result.Storage, windows, average, planes,
            parallel ? Math.Min(planes, 4 * threads) : 1);
        ConvJob<PoolPlaneItems>.Run(items, parallel ? threads : 1);
    }

    /// <summary>Floats read and written below which a pooling runs on one core: about 0.1 ms of
    /// memory traffic, where a fork/join costs a few microseconds.</summary>
    private const long PoolParallelFloats = 1 << 18;
}
