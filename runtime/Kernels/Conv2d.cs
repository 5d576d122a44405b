using System.Numerics.Tensors;

namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>2-D cross-correlation over NCHW input (PyTorch conv2d). weight is
    /// [out, in/groups, kh, kw]; bias [out]. stride, padding and dilation take 1 or 2 values
    /// (empty: 1, 0, 1). Grouped convolution runs one GEMM per group over an im2col matrix;
    /// depthwise convolution (one input channel per group) runs directly.</summary>
    [OpKernel("conv2d")]
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups)
    {
        var geometry = ConvSetup(input, weight, bias, stride, padding, dilation, groups);
        // Every element is written: each output plane starts as its bias.
        var result = DenseArgs.Uninitialized(input.Dim(0), weight.Dim(0), geometry.OutHeight, geometry.OutWidth);
        ConvCompute(input, weight, bias, result, geometry, groups);
        return result;
    }

    /// <summary><see cref="Conv2d"/> into a caller-owned destination of the result's shape (a
    /// compiled segment's buffer, so a call allocates no result); it must not overlap the operands.</summary>
    public static void Conv2dInto(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups, Tensor destination)
    {
        var geometry = ConvSetup(input, weight, bias, stride, padding, dilation, groups);
        OperandChecks.Destination("conv2d", destination, DType.Float32, [input.Dim(0), weight.Dim(0), geometry.OutHeight, geometry.OutWidth]);
        ConvCompute(input, weight, bias, destination, geometry, groups);
    }

    private static ConvGeometry ConvSetup(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups)
    {
        const string op = "conv2d";
        DenseArgs.RequireFloat(op, input, "input");
        DenseArgs.RequireFloat(op, weight, "weight");
        DenseArgs.RequireFloat(op, bias, "bias");
        DenseArgs.RequireRank(op, input, 4, "input");
        DenseArgs.RequireRank(op, weight, 4, "weight");
        if (groups < 1) throw new TensorOpException(op, $"groups must be positive, got {groups}");
        int channels = input.Dim(1), height = input.Dim(2), width = input.Dim(3);
        int outChannels = weight.Dim(0), kh = weight.Dim(2), kw = weight.Dim(3);
        if (channels % groups != 0 || outChannels % groups != 0 || weight.Dim(1) != channels / groups)
            throw TensorOpException.ShapeMismatch(op, input.Shape, weight.Shape, $"with groups={groups} the weight must be [out, {channels / groups}, kh, kw] and out divisible by groups");
        if (bias.Rank != 1 || bias.Dim(0) != outChannels)
            throw TensorOpException.ShapeMismatch(op, bias.Shape, weight.Shape, $"bias must be [{outChannels}]");

        var (sh, sw) = DenseArgs.Pair(op, "stride", stride, (1, 1));
        var (ph, pw) = DenseArgs.Pair(op, "padding", padding, (0, 0));
        var (dh, dw) = DenseArgs.Pair(op, "dilation", dilation, (1, 1));
        return new ConvGeometry(channels / groups, height, width, kh, kw, sh, sw, ph, pw, dh, dw,
            DenseArgs.WindowOutput(op, input, height, kh, sh, ph, dh), DenseArgs.WindowOutput(op, input, width, kw, sw, pw, dw));
    }

    private static void ConvCompute(Tensor input, Tensor weight, Tensor bias, Tensor result, ConvGeometry geometry, int groups)
    {
        if (result.Length == 0) return;
        var channels = input.Dim(1);
        if (groups == channels && geometry.GroupChannels == 1 && groups > 1)
            DepthwiseConv(input, weight, bias, result, geometry);
        else
            GemmConv(input, weight, bias, result, geometry, groups);
    }

    /// <summary>Per image and group: out_g [og, oh·ow] = W_g [og, cg·kh·kw] · cols [cg·kh·kw, oh·ow],
    /// starting from the bias.</summary>
    private static void GemmConv(Tensor input, Tensor weight, Tensor bias, Tensor result, ConvGeometry g, int groups)
    {
        var outChannels = weight.Dim(0);
        var groupOut = outChannels / groups;
        var pixels = g.OutHeight * g.OutWidth;
        var depth = g.GroupChannels * g.KernelHeight * g.KernelWidth;
        var products = input.Dim(0) * groups;
        var inArray = (float[])input.Storage;
        var outArray = (float[])result.Storage;
        var weightArray = (float[])weight.Storage;
        var biasArray = (float[])bias.Storage;

        // Many small products (a batch of small images, many groups) run one per core, each
        // single-threaded; large ones run one after another, each on all cores.
        var work = (long)groupOut * pixels * depth;
        if (work < 4 * Gemm.ParallelThreshold && DenseArgs.WorthParallel(products, work))
            Parallel.For(0, products, item => GroupProduct(item, 1));
        else
            for (var item = 0; item < products; item++) GroupProduct(item, Environment.ProcessorCount);

        void GroupProduct(int item, int maxThreads)
        {
            var n = item / groups;
            var grp = item % groups;
            var inOffset = (n * groups + grp) * g.GroupChannels * g.Height * g.Width;
            var outSlice = outArray.AsSpan((n * outChannels + grp * groupOut) * pixels, groupOut * pixels);
            for (var o = 0; o < groupOut; o++) outSlice.Slice(o * pixels, pixels).Fill(biasArray[grp * groupOut + o]);
            ConvProduct(inArray.AsSpan(inOffset, g.GroupChannels * g.Height * g.Width), weightArray.AsSpan(grp * groupOut * depth, groupOut * depth),
                outSlice, g, groupOut, maxThreads);
        }
    }

    /// <summary>out [og, oh·ow] += W [og, cg·kh·kw] · im2col(image).</summary>
    private static unsafe void ConvProduct(ReadOnlySpan<float> image, ReadOnlySpan<float> weight, Span<float> output, ConvGeometry g, int groupOut, int maxThreads)
    {
        var pixels = g.OutHeight * g.OutWidth;
        var depth = g.GroupChannels * g.KernelHeight * g.KernelWidth;
        // A 1×1 kernel with unit stride and no padding reads the image as the im2col matrix
        // itself; other kernels pack im2col panels straight from the image.
        var pointwise = g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;
        if (pointwise)
        {
            Gemm.Sgemm(false, false, groupOut, pixels, depth, weight, depth, image, pixels, output, pixels,
                accumulate: true, maxThreads: maxThreads, forcePortable: false);
            return;
        }
        fixed (float* pImage = image)
            Gemm.SgemmPackedB(groupOut, pixels, depth, weight, depth, new Im2ColBPacker(pImage, g), output, pixels, accumulate: true, maxThreads);
    }

    /// <summary>One input channel per group: each output plane is a weighted sum of shifted
    /// input rows, vectorized along the row for unit stride.</summary>
    private static void DepthwiseConv(Tensor input, Tensor weight, Tensor bias, Tensor result, ConvGeometry g)
    {
        var channels = input.Dim(1);
        var outChannels = weight.Dim(0);
        var multiplier = outChannels / channels;
        var planes = input.Dim(0) * outChannels;
        var inArray = (float[])input.Storage;
        var wArray = (float[])weight.Storage;
        var bArray = (float[])bias.Storage;
        var outArray = (float[])result.Storage;
        var taps = g.KernelHeight * g.KernelWidth;
        var outPlane = g.OutHeight * g.OutWidth;

        void Plane(int plane)
        {
            var n = plane / outChannels;
            var oc = plane % outChannels;
            var src = inArray.AsSpan((n * channels + oc / multiplier) * g.Height * g.Width, g.Height * g.Width);
            var dst = outArray.AsSpan(plane * outPlane, outPlane);
            dst.Fill(bArray[oc]);
            for (var ky = 0; ky < g.KernelHeight; ky++)
            {
                for (var kx = 0; kx < g.KernelWidth; kx++)
                {
                    var w = wArray[oc * taps + ky * g.KernelWidth + kx];
                    var (lo, hi, offset) = g.ValidColumns(kx);
                    if (lo >= hi) continue;
                    for (var oy = 0; oy < g.OutHeight; oy++)
                    {
                        var iy = oy * g.StrideH - g.PadH + ky * g.DilationH;
                        if (iy < 0 || iy >= g.Height) continue;
                        var srcRow = src.Slice(iy * g.Width);
                        var dstRow = dst.Slice(oy * g.OutWidth, g.OutWidth);
                        if (g.StrideW == 1)
                        {
                            var d = dstRow[lo..hi];
                            TensorPrimitives.MultiplyAdd(srcRow.Slice(lo + offset, hi - lo), w, d, d);
                        }
                        else
                        {
                            for (var ox = lo; ox < hi; ox++) dstRow[ox] += w * srcRow[ox * g.StrideW + offset];
                        }
                    }
                }
            }
        }

        if (DenseArgs.WorthParallel(planes, (long)outPlane * taps))
            Parallel.For(0, planes, Plane);
        else
            for (var p = 0; p < planes; p++) Plane(p);
    }
}
