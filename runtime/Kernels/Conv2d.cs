using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>2-D cross-correlation over NCHW input (PyTorch conv2d). weight is
    /// [out, in/groups, kh, kw]; bias [out]. stride, padding and dilation take 1 or 2 values
    /// (empty: 1, 0, 1). Dense and depthwise convolutions run directly on a zero-padded copy of
    /// the input (runtime/Conv); grouped convolutions, and shapes where it is faster, run one
    /// GEMM per group over an im2col matrix.</summary>
    [OpKernel("conv2d")]
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups)
    {
        var geometry = ConvSetup(input, weight, bias, stride, padding, dilation, groups);
        // Every element is written.
        var result = DenseArgs.Uninitialized(input.Dim(0), weight.Dim(0), geometry.OutHeight, geometry.OutWidth);
        ConvCompute(input, weight, bias, null, false, result, geometry, groups, ConvAlgorithm.Auto, Environment.ProcessorCount, keepPackedWeights: false);
        return result;
    }

    /// <summary><see cref="Conv2d"/> into a caller-owned destination of the result's shape (a
    /// compiled segment's buffer, so a call allocates no result); it must not overlap the operands.
    /// As in compiled code, the weight's repacked form may be kept per tensor: after changing a
    /// weight in place, call <see cref="Tensor.MarkModified"/>.</summary>
    public static void Conv2dInto(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups, Tensor destination)
    {
        var geometry = ConvSetup(input, weight, bias, stride, padding, dilation, groups);
        OperandChecks.Destination("conv2d", destination, DType.Float32, [input.Dim(0), weight.Dim(0), geometry.OutHeight, geometry.OutWidth]);
        ConvCompute(input, weight, bias, null, false, destination, geometry, groups, ConvAlgorithm.Auto, Environment.ProcessorCount, keepPackedWeights: true);
    }

    /// <summary>destination = relu?(conv2d(input, weight, bias, …) + residual): a convolution with
    /// its bias, an optional residual of the result's shape and an optional ReLU applied before
    /// each result is stored (a ResNet block's conv + add + relu in one pass over the output).
    /// <paramref name="residual"/> may be <paramref name="destination"/> itself (each element is
    /// read before it is written); otherwise the destination must not overlap the operands. The
    /// weight's repacked form may be kept per tensor, as for <see cref="Conv2dInto"/>.</summary>
    public static void Conv2dFusedInto(Tensor input, Tensor weight, Tensor bias, Tensor? residual, bool relu,
        int[] stride, int[] padding, int[] dilation, int groups, Tensor destination) =>
        Conv2dFusedWith(input, weight, bias, residual, relu, stride, padding, dilation, groups, destination, ConvAlgorithm.Auto, Environment.ProcessorCount);

    /// <summary><see cref="Conv2dFusedInto"/> on a chosen kernel and at most
    /// <paramref name="maxThreads"/> cores (tests check each kernel; benchmarks compare them).</summary>
    internal static void Conv2dFusedWith(Tensor input, Tensor weight, Tensor bias, Tensor? residual, bool relu,
        int[] stride, int[] padding, int[] dilation, int groups, Tensor destination, ConvAlgorithm algorithm, int maxThreads)
    {
        const string op = "conv2d";
        var geometry = ConvSetup(input, weight, bias, stride, padding, dilation, groups);
        int[] shape = [input.Dim(0), weight.Dim(0), geometry.OutHeight, geometry.OutWidth];
        OperandChecks.Destination(op, destination, DType.Float32, shape);
        if (residual != null)
        {
            DenseArgs.RequireFloat(op, residual, "residual");
            if (!residual.Shape.SequenceEqual(shape))
                throw TensorOpException.ShapeMismatch(op, residual.Shape, shape, "the residual must have the result's shape");
        }
        ConvCompute(input, weight, bias, residual, relu, destination, geometry, groups, algorithm, maxThreads, keepPackedWeights: true);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ConvCompute(Tensor input, Tensor weight, Tensor bias, Tensor? residual, bool relu, Tensor result,
        ConvGeometry geometry, int groups, ConvAlgorithm algorithm, int maxThreads, bool keepPackedWeights)
    {
        if (result.Length == 0) return;
        var channels = input.Dim(1);
        var depthwise = groups == channels && geometry.GroupChannels == 1 && groups > 1;
        if (algorithm == ConvAlgorithm.Auto) algorithm = ChooseConvAlgorithm(geometry, groups, depthwise, input.Dim(0));
        if (algorithm is ConvAlgorithm.Pointwise or ConvAlgorithm.PointwisePortable && !IsPointwise(geometry, groups))
            algorithm = algorithm == ConvAlgorithm.Pointwise ? ConvAlgorithm.Direct : ConvAlgorithm.DirectPortable;
        if (algorithm == ConvAlgorithm.ChannelVector && (depthwise || KernelIsa.Current == SimdPath.Portable || !ChannelVectorConv.Covers(geometry, groups, weight.Dim(0))))
            algorithm = ConvAlgorithm.Direct;
        if (algorithm == ConvAlgorithm.ChannelVector)
        {
            fixed (float* pIn = (float[])input.Storage, pB = (float[])bias.Storage, pRes = (float[]?)residual?.Storage, pOut = (float[])result.Storage)
                ChannelVectorConv.Run(pIn, weight, pB, pRes, pOut, input.Dim(0), channels, weight.Dim(0), geometry, relu, keepPackedWeights,
                    KernelIsa.Current == SimdPath.Avx512, maxThreads);
            return;
        }
        if (algorithm == ConvAlgorithm.Direct && !ConvKernelFlavour.HardwareAvailable) algorithm = ConvAlgorithm.DirectPortable;
        if (algorithm == ConvAlgorithm.Pointwise && !ConvKernelFlavour.HardwareAvailable) algorithm = ConvAlgorithm.PointwisePortable;
        if (algorithm is ConvAlgorithm.Pointwise or ConvAlgorithm.PointwisePortable)
        {
            fixed (float* pIn = (float[])input.Storage, pW = (float[])weight.Storage, pB = (float[])bias.Storage,
                   pRes = (float[]?)residual?.Storage, pOut = (float[])result.Storage)
            {
                PointwiseConv.Run(pIn, pW, pB, pRes, pOut, input.Dim(0), channels, weight.Dim(0), geometry.OutHeight * geometry.OutWidth,
                    relu, algorithm == ConvAlgorithm.PointwisePortable, maxThreads);
            }
            return;
        }
        if (algorithm != ConvAlgorithm.Im2ColGemm && (groups == 1 || depthwise))
        {
            var portable = algorithm == ConvAlgorithm.DirectPortable;
            fixed (float* pIn = (float[])input.Storage, pW = (float[])weight.Storage, pB = (float[])bias.Storage,
                   pRes = (float[]?)residual?.Storage, pOut = (float[])result.Storage)
            {
                if (depthwise)
                {
                    DepthwiseConvProblem.Run(pIn, pW, pB, pRes, pOut, input.Dim(0), channels, weight.Dim(0) / channels, geometry, relu, portable, maxThreads);
                }
                else
                {
                    DirectConv2d.Run(pIn, pW, pB, pRes, pOut, input.Dim(0), channels, weight.Dim(0), geometry, relu, portable, maxThreads);
                }
            }
            return;
        }

        if (depthwise)
        {
            DepthwiseConv(input, weight, bias, residual, result, geometry);
            if (relu) TensorPrimitives.Max(result.Floats, 0f, result.Floats);
        }
        else
        {
            GemmConv(input, weight, bias, residual, relu, result, geometry, groups, maxThreads, keepPackedWeights);
        }
    }

    /// <summary>The faster kernel for a shape (measured on the CIFAR/ImageNet zoo layers with the
    /// quick benchmark, `Benchmarks --quick conv`). Pointwise convolutions (1×1, unit stride, no
    /// padding, one group) run the pointwise kernel where it measured faster than the GEMM in
    /// repeated runs: tiny planes (≤ 64 pixels: 8×8, 7×7; 1.2–1.8×), deep inputs (≥ 512 channels:
    /// 14×14, 7×7), large planes with ≥ 64 channels (112×112, 1.2–1.5× in most runs) and large
    /// planes with ≤ 32 channels, which the kernel reads in place (224×224, 32 → 64: 1.5×). On the
    /// layers between (32 channels on 112×112, 64–256 channels on 56×56 and 28×28) the two measured
    /// level within the noise, and they stay on the GEMM. Where the GEMM has its 12 × 32 zmm tile
    /// (AVX-512), reads the weights in place and adds bias and ReLU per finished block, it is as
    /// fast as or faster than both other kernels on every pointwise zoo layer (two cores of a Zen 5,
    /// `--quick 1x1`: 64 → 128 at 112×112 0.72 ms against 0.97 direct and 1.40 pointwise; level
    /// with the direct kernel at 32 → 64 on 224×224 and with the pointwise kernel on 8×8 and 7×7).
    /// Other shapes run the direct kernels, except for
    /// - grouped convolutions (not depthwise), which they do not cover;
    /// - other 1×1 kernels (strided, or the pointwise shapes above left on the GEMM), where each tap
    ///   reads another channel plane, so the direct tile loads a new cache line for every 4 FMAs,
    ///   while the GEMM reads (or packs) the image as contiguous panels.
    /// Deep k×k kernels (VGG's 256- and 512-channel 3×3 layers) run direct too: with its taps in
    /// blocks of 16 input channels the direct kernel matches the GEMM at 28×28 and beats it at
    /// 14×14 and below. Where the channel-vector tile covers a k×k layer (AVX-512, stride 1 or 2,
    /// out channels in sixteens, rows at least 8 wide) it runs instead of the direct tile: as
    /// fast or faster on every such zoo layer, 1.1–1.5× on most (64 → 64 at 8×8 0.041 → 0.028 ms,
    /// 256 → 256 at 8×8 0.45 → 0.35 ms, 512 → 512 at 14×14 5.5 → 4.7 ms on two cores) — except on
    /// images of fewer than <see cref="ChannelVectorMinDepth"/> taps per output, an RGB
    /// image's 3×3 stem, where each tile's few FMAs do not pay for turning its sums to NCHW rows.
    /// On AVX2 the channel vectors take only the layers of <see cref="ChannelVectorMaxPlaneAvx2"/>.</summary>
    private static ConvAlgorithm ChooseConvAlgorithm(ConvGeometry g, int groups, bool depthwise, int batch)
    {
        if (IsPointwise(g, groups))
        {
            var plane = g.OutHeight * g.OutWidth;
            if (KernelIsa.Current == SimdPath.Avx512) return ConvAlgorithm.Im2ColGemm;
            var faster = plane <= 64 || g.GroupChannels >= 512 || (plane >= 10_000 && (g.GroupChannels >= 64 || g.GroupChannels <= PointwiseConv.InPlaceMaxChannels));
            return faster ? ConvAlgorithm.Pointwise : ConvAlgorithm.Im2ColGemm;
        }
        if (depthwise) return ConvAlgorithm.Direct;
        if (groups != 1) return ConvAlgorithm.Im2ColGemm;
        if (g.KernelHeight == 1 && g.KernelWidth == 1) return ConvAlgorithm.Im2ColGemm;
        var shallow = g.GroupChannels * g.KernelHeight * g.KernelWidth < ChannelVectorMinDepth;
        if (shallow) return ConvAlgorithm.Direct;
        if (KernelIsa.Current == SimdPath.Avx512) return ConvAlgorithm.ChannelVector;
        return batch <= 2 && (g.StrideH == 2 || g.OutHeight * g.OutWidth <= ChannelVectorMaxPlaneAvx2) ? ConvAlgorithm.ChannelVector : ConvAlgorithm.Direct;
    }

    /// <summary>Largest output plane (4 × 4) that takes the AVX2 channel-vector tiles at unit stride.
    /// On AVX2 the direct tile's unaligned loads cost less than on the AVX-512 machines, and on two
    /// cores of a Zen 3, both kernels alternating in one process, it is as fast or faster (up to
    /// 1.3×) on the unit-stride zoo layers from 7 × 7 up. The channel vectors win on one or two
    /// images where the direct tile works on stride phases or on vectors mostly empty:
    /// - stride 2: 1.15–1.2× on ResNet's and WRN's (16 → 32 at 32 × 32 0.036 → 0.031 ms,
    ///   128 → 256 at 16 × 16 0.56 → 0.46 ms), 1.6–3× on SkipNet's gate convolutions
    ///   (64 → 64 to 2 × 2 0.027 → 0.009 ms);
    /// - 4 × 4 planes, on gathered columns: 1.8× (64 → 64 0.044 → 0.025 ms).
    /// On 16 images the two are level within the noise, so larger batches stay direct.</summary>
    private const int ChannelVectorMaxPlaneAvx2 = 16;

    /// <summary>Fewest taps per output (input channels × kernel area) the channel-vector tile takes.
    /// On two cores, direct against channel-vector, 3 → 64 3×3 at 224×224 (27 taps): one image
    /// 0.80–0.85 against 1.12–1.32 ms (best of runs), two 1.8–1.9 against 2.1 ms. At 16 images the
    /// two were level within the noise in separate runs, but alternating in one process on a Zen 4
    /// the direct tile was ahead at every batch: 16 images 30.2–30.4 against 35.3–36.2 ms, 3 → 32 at
    /// 224×224 12.6–12.8 against 15.0–16.0 ms, the CIFAR stem 3 → 16 at 32×32 0.106–0.115 against
    /// 0.120–0.130 ms. From 147 taps on the channel vectors are as fast or faster (the 7×7 stem 0.56
    /// against 0.55 ms, 16 → 64 at 32×32 0.050 against 0.046 ms).</summary>
    private const int ChannelVectorMinDepth = 64;

    /// <summary>A 1×1 kernel with unit stride, no padding and one group: each output pixel is a
    /// matrix-vector product of the weights and the input pixel (dilation does not matter).</summary>
    private static bool IsPointwise(ConvGeometry g, int groups) =>
        groups == 1 && g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;

    /// <summary>Starts an output plane (of <paramref name="count"/> elements at
    /// <paramref name="at"/>) as its bias plus the residual, if any, which the kernels then
    /// accumulate into. Element by element, so the residual may be the output itself.</summary>
    internal static void StartPlane(float[] output, float[]? residual, int at, int count, float bias)
    {
        var plane = output.AsSpan(at, count);
        if (residual == null) plane.Fill(bias);
        else TensorPrimitives.Add(residual.AsSpan(at, count), bias, plane);
    }

    /// <summary>Per image and group: out_g [og, oh·ow] = W_g [og, cg·kh·kw] · cols [cg·kh·kw, oh·ow]
    /// (<see cref="GemmConvProducts"/>). Many small products (a batch of small images, many groups)
    /// run one per core on the GEMM workers, each single-threaded; large ones run one after
    /// another, each on all cores. With <paramref name="keepPackedWeights"/> a weight whose rows
    /// would alias in L1 is read from its kept padded copy (<see cref="RowPaddedWeights"/>).</summary>
    private static void GemmConv(Tensor input, Tensor weight, Tensor bias, Tensor? residual, bool relu, Tensor result, ConvGeometry g, int groups, int maxThreads,
        bool keepPackedWeights)
    {
        var weights = (float[])weight.Storage;
        var depth = g.GroupChannels * g.KernelHeight * g.KernelWidth;
        var weightStride = depth;
        if (keepPackedWeights && RowPaddedWeights.Needed(depth, weight.Dim(0) / groups))
        {
            var padded = RowPaddedWeights.Cached(weight);
            weights = padded.Data;
            weightStride = padded.Stride;
        }
        var products = new GemmConvProducts((float[])input.Storage, weights, weightStride, (float[])bias.Storage, (float[]?)residual?.Storage,
            (float[])result.Storage, relu, g, groups, weight.Dim(0), input.Dim(0) * groups);
        var work = (long)products.GroupOut * products.Pixels * products.Depth;
        if (maxThreads > 1 && work < 4 * Gemm.ParallelThreshold && DenseArgs.WorthParallel(products.Items, work))
            ConvJob<GemmConvProducts>.Run(products, maxThreads);
        else
            for (var item = 0; item < products.Items; item++) products.Run(item, maxThreads);
    }

    /// <summary>One input channel per group: each output plane is a weighted sum of shifted
    /// input rows, vectorized along the row for unit stride.</summary>
    private static void DepthwiseConv(Tensor input, Tensor weight, Tensor bias, Tensor? residual, Tensor result, ConvGeometry g)
    {
        var channels = input.Dim(1);
        var outChannels = weight.Dim(0);
        var multiplier = outChannels / channels;
        var planes = input.Dim(0) * outChannels;
        var inArray = (float[])input.Storage;
        var wArray = (float[])weight.Storage;
        var bArray = (float[])bias.Storage;
        var outArray = (float[])result.Storage;
        var residualArray = (float[]?)residual?.Storage;
        var taps = g.KernelHeight * g.KernelWidth;
        var outPlane = g.OutHeight * g.OutWidth;

        void Plane(int plane)
        {
            var n = plane / outChannels;
            var oc = plane % outChannels;
            var src = inArray.AsSpan((n * channels + oc / multiplier) * g.Height * g.Width, g.Height * g.Width);
            var dst = outArray.AsSpan(plane * outPlane, outPlane);
            StartPlane(outArray, residualArray, plane * outPlane, outPlane, bArray[oc]);
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
