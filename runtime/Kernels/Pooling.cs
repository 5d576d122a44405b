namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Max over sliding windows of an NCHW (or CHW) input. stride empty means the
    /// kernel size; padding counts as −∞ and may be at most half the kernel (as in PyTorch).</summary>
    [OpKernel("max_pool2d")]
    public static Tensor MaxPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding) =>
        Pool2d("max_pool2d", input, kernelSize, stride, padding, average: false);

    /// <summary>Average over sliding windows of an NCHW (or CHW) input. Padding counts as zeros
    /// and the divisor is always the full window (count_include_pad, PyTorch's default).</summary>
    [OpKernel("avg_pool2d")]
    public static Tensor AvgPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding) =>
        Pool2d("avg_pool2d", input, kernelSize, stride, padding, average: true);

    private static Tensor Pool2d(string op, Tensor input, int[] kernelSize, int[] stride, int[] padding, bool average)
    {
        DenseArgs.RequireFloat(op, input, "input");
        if (input.Rank is not (3 or 4))
            throw new TensorOpException(op, $"input must be CHW or NCHW, got shape {Shapes.Format(input.Shape)}");
        var (kh, kw) = DenseArgs.Pair(op, "kernelSize", kernelSize);
        var (sh, sw) = DenseArgs.Pair(op, "stride", stride, (kh, kw));
        var (ph, pw) = DenseArgs.Pair(op, "padding", padding, (0, 0));
        if (ph * 2 > kh || pw * 2 > kw)
            throw new TensorOpException(op, $"padding ({ph}, {pw}) must be at most half the kernel ({kh}, {kw}) for input of shape {Shapes.Format(input.Shape)}");
        int height = input.Dim(-2), width = input.Dim(-1);
        var outHeight = DenseArgs.WindowOutput(op, input, height, kh, sh, ph, 1);
        var outWidth = DenseArgs.WindowOutput(op, input, width, kw, sw, pw, 1);
        var shape = input.ShapeArray();
        shape[^2] = outHeight;
        shape[^1] = outWidth;
        var result = Tensor.Zeros(shape);
        var planes = result.Length == 0 ? 0 : result.Length / (outHeight * outWidth);
        var inArray = (float[])input.Storage;
        var outArray = (float[])result.Storage;
        var divisor = 1f / (kh * kw);

        void Plane(int plane)
        {
            var src = inArray.AsSpan(plane * height * width, height * width);
            var dst = outArray.AsSpan(plane * outHeight * outWidth, outHeight * outWidth);
            for (var oy = 0; oy < outHeight; oy++)
            {
                var y0 = Math.Max(oy * sh - ph, 0);
                var y1 = Math.Min(oy * sh - ph + kh, height);
                for (var ox = 0; ox < outWidth; ox++)
                {
                    var x0 = Math.Max(ox * sw - pw, 0);
                    var x1 = Math.Min(ox * sw - pw + kw, width);
                    float acc = average ? 0f : float.NegativeInfinity;
                    for (var y = y0; y < y1; y++)
                    {
                        var row = src.Slice(y * width);
                        for (var x = x0; x < x1; x++)
                        {
                            var v = row[x];
                            // NaN propagates through max, as in PyTorch.
                            if (average) acc += v;
                            else if (v > acc || float.IsNaN(v)) acc = v;
                        }
                    }
                    dst[oy * outWidth + ox] = average ? acc * divisor : acc;
                }
            }
        }

        RunDensePlanes(planes, (long)outHeight * outWidth * kh * kw, Plane);
        return result;
    }

    /// <summary>Adaptive average pooling to outputSize (1 or 2 values): output cell i covers input
    /// rows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉), likewise for columns.</summary>
    [OpKernel("adaptive_avg_pool2d")]
    public static Tensor AdaptiveAvgPool2d(Tensor input, int[] outputSize) =>
        AdaptivePool2d("adaptive_avg_pool2d", input, outputSize, average: true);

    /// <summary>Adaptive max pooling with the same windows as <see cref="AdaptiveAvgPool2d"/>.</summary>
    [OpKernel("adaptive_max_pool2d")]
    public static Tensor AdaptiveMaxPool2d(Tensor input, int[] outputSize) =>
        AdaptivePool2d("adaptive_max_pool2d", input, outputSize, average: false);

    private static Tensor AdaptivePool2d(string op, Tensor input, int[] outputSize, bool average)
    {
        DenseArgs.RequireFloat(op, input, "input");
        if (input.Rank is not (3 or 4))
            throw new TensorOpException(op, $"input must be CHW or NCHW, got shape {Shapes.Format(input.Shape)}");
        var (outHeight, outWidth) = DenseArgs.Pair(op, "outputSize", outputSize);
        int height = input.Dim(-2), width = input.Dim(-1);
        if (outHeight < 0 || outWidth < 0 || ((height == 0 || width == 0) && outHeight * outWidth > 0))
            throw new TensorOpException(op, $"cannot pool input of shape {Shapes.Format(input.Shape)} to [{outHeight}, {outWidth}]");
        var shape = input.ShapeArray();
        shape[^2] = outHeight;
        shape[^1] = outWidth;
        var result = Tensor.Zeros(shape);
        var planes = result.Length == 0 ? 0 : result.Length / (outHeight * outWidth);
        var inArray = (float[])input.Storage;
        var outArray = (float[])result.Storage;

        void Plane(int plane)
        {
            var src = inArray.AsSpan(plane * height * width, height * width);
            var dst = outArray.AsSpan(plane * outHeight * outWidth, outHeight * outWidth);
            for (var oy = 0; oy < outHeight; oy++)
            {
                var y0 = oy * height / outHeight;
                var y1 = ((oy + 1) * height + outHeight - 1) / outHeight;
                for (var ox = 0; ox < outWidth; ox++)
                {
                    var x0 = ox * width / outWidth;
                    var x1 = ((ox + 1) * width + outWidth - 1) / outWidth;
                    float acc = average ? 0f : float.NegativeInfinity;
                    for (var y = y0; y < y1; y++)
                    {
                        var row = src.Slice(y * width);
                        for (var x = x0; x < x1; x++)
                        {
                            var v = row[x];
                            if (average) acc += v;
                            else if (v > acc || float.IsNaN(v)) acc = v;
                        }
                    }
                    dst[oy * outWidth + ox] = average ? acc / ((y1 - y0) * (x1 - x0)) : acc;
                }
            }
        }

        RunDensePlanes(planes, (long)height * width, Plane);
        return result;
    }

    /// <summary>Runs an independent per-plane body over all planes, on all cores when the total
    /// work is large enough.</summary>
    private static void RunDensePlanes(int planes, long workPerPlane, Action<int> plane)
    {
        if (DenseArgs.WorthParallel(planes, workPerPlane))
            Parallel.For(0, planes, plane);
        else
            for (var p = 0; p < planes; p++) plane(p);
    }
}
