namespace DyCompile.Runtime;

/// <summary>A convolution as one GEMM per (image, group): out_g [og, oh·ow] (+)= W_g [og, cg·kh·kw] ·
/// im2col(image_g), with the bias, the residual and ReLU added by the GEMM to each block as it
/// completes (<see cref="GemmRowEpilogue"/>). A residual that is the output itself is added
/// before the product instead, since the product overwrites it. As work items
/// (<see cref="IConvItems"/>) each product runs on one core. The weight's rows (one per output
/// channel) are <c>weightStride</c> floats apart: the depth, or more in a padded copy.</summary>
internal readonly unsafe struct GemmConvProducts(float[] input, float[] weight, int weightStride, float[] bias, float[]? residual, float[] output, bool relu,
    ConvGeometry g, int groups, int outChannels, int products) : IConvItems
{
    public int GroupOut => outChannels / groups;

    public int Pixels => g.OutHeight * g.OutWidth;

    public int Depth => g.GroupChannels * g.KernelHeight * g.KernelWidth;

    public int Items => products;

    public void RunItem(int item) => Run(item, maxThreads: 1);

    /// <summary>Product <paramref name="item"/> (image item / groups, group item % groups) on at most <paramref name="maxThreads"/> cores.</summary>
    public void Run(int item, int maxThreads)
    {
        var groupOut = GroupOut;
        var pixels = Pixels;
        var depth = Depth;
        var n = item / groups;
        var grp = item % groups;
        var inOffset = (n * groups + grp) * g.GroupChannels * g.Height * g.Width;
        var outAt = (n * outChannels + grp * groupOut) * pixels;
        var residualFirst = residual != null && ReferenceEquals(residual, output);
        fixed (float* pBias = bias, pResidual = residual)
        {
            GemmRowEpilogue epilogue;
            if (residualFirst)
            {
                for (var o = 0; o < groupOut; o++) TensorOps.StartPlane(output, residual, outAt + o * pixels, pixels, bias[grp * groupOut + o]);
                epilogue = new GemmRowEpilogue(null, null, relu);
            }
            else
            {
                epilogue = new GemmRowEpilogue(pBias + grp * groupOut, pResidual == null ? null : pResidual + outAt, relu);
            }
            Product(input.AsSpan(inOffset, g.GroupChannels * g.Height * g.Width), weight.AsSpan(grp * groupOut * weightStride, (groupOut - 1) * weightStride + depth),
                output.AsSpan(outAt, groupOut * pixels), residualFirst, epilogue, maxThreads);
        }
    }

    /// <summary>out [og, oh·ow] (+)= W [og, cg·kh·kw] · im2col(image), then the epilogue. A 1×1 kernel with
    /// unit stride and no padding reads the image as the im2col matrix itself; other kernels pack
    /// im2col panels straight from the image.</summary>
    private void Product(ReadOnlySpan<float> image, ReadOnlySpan<float> weights, Span<float> result, bool accumulate, GemmRowEpilogue epilogue, int maxThreads)
    {
        var pointwise = g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;
        if (pointwise)
        {
            Gemm.Sgemm(false, false, GroupOut, Pixels, Depth, weights, weightStride, image, Pixels, result, Pixels,
                accumulate, maxThreads, forcePortable: false, epilogue);
            return;
        }
        fixed (float* pImage = image)
            Gemm.SgemmPackedB(GroupOut, Pixels, Depth, weights, weightStride, new Im2ColBPacker(pImage, g), result, Pixels, accumulate, maxThreads, epilogue);
    }
}
