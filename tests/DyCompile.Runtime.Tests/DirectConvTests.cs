using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DyCompile.Runtime.Tests;

/// <summary>The direct convolution kernels (FMA and portable), and the im2col + GEMM kernel, with
/// the fused bias + residual + ReLU epilogue, against a plain loop-nest convolution.</summary>
public class DirectConvTests
{
    /// <summary>How a case adds a residual and applies ReLU.</summary>
    public enum Epilogue
    {
        BiasOnly,
        Relu,
        Residual,
        ResidualInPlaceRelu,
    }

    private static readonly ConvAlgorithm[] _algorithms = [ConvAlgorithm.Direct, ConvAlgorithm.DirectPortable, ConvAlgorithm.Im2ColGemm, ConvAlgorithm.ChannelVector];

    private static readonly (int[] Input, int[] Weight, int[] Stride, int[] Padding, int[] Dilation, int Groups)[] _shapes =
    [
        ([1, 3, 1, 1], [5, 3, 1, 1], [1], [0], [1], 1),            // a single pixel
        ([1, 3, 1, 1], [5, 3, 3, 3], [1], [1], [1], 1),            // a single pixel, all padding around it
        ([2, 3, 7, 9], [6, 3, 3, 3], [1], [1], [1], 1),            // batch 2
        ([1, 4, 33, 33], [7, 4, 3, 3], [1], [1], [1], 1),          // 33 wide: a 1-lane row tail; 7 channels: a 3-channel block
        ([1, 5, 33, 31], [9, 5, 3, 3], [2], [1], [1], 1),          // stride 2: four phases
        ([1, 3, 17, 19], [5, 3, 5, 5], [1], [2], [1], 1),
        ([1, 3, 23, 21], [4, 3, 7, 7], [2], [3], [1], 1),          // an ImageNet stem
        ([1, 4, 13, 13], [6, 4, 3, 3], [1], [2], [2], 1),          // dilation 2
        ([1, 4, 14, 14], [10, 4, 3, 3], [2], [1], [2], 1),         // stride 2 and dilation 2
        ([1, 6, 10, 14], [3, 6, 1, 3], [1], [0, 1], [1], 1),       // a 1×3 kernel
        ([1, 8, 8, 8], [16, 8, 3, 3], [1], [1], [1], 1),           // 8×8: a tile spans rows
        ([1, 4, 4, 4], [5, 4, 3, 3], [1], [1], [1], 1),            // half-empty vectors
        ([1, 2, 5, 40], [3, 2, 3, 3], [1], [0], [1], 1),           // wide and short
        ([2, 5, 9, 9], [13, 5, 1, 1], [2], [0], [1], 1),           // strided pointwise
        ([1, 16, 6, 5], [20, 16, 1, 1], [1], [0], [1], 1),         // pointwise
        ([1, 32, 20, 20], [36, 32, 3, 3], [1], [1], [1], 1),       // large enough to use the worker threads
        ([6, 16, 16, 16], [16, 16, 3, 3], [1], [1], [1], 1),       // small images, a batch worth one image per thread
        ([1, 17, 12, 12], [5, 17, 3, 3], [1], [1], [1], 1),        // input channels in blocks of 16: a 1-channel last block
        ([1, 1, 20, 20], [6, 1, 3, 3], [1], [1], [1], 1),          // one input channel on a plane with many tiles
        ([1, 96, 14, 14], [10, 96, 3, 3], [1], [1], [1], 1),       // many input channels: six blocks, a 2-channel output block
        ([1, 20, 30, 30], [6, 20, 3, 3], [1], [1], [1], 1),        // blocked with packed weights, 2 zero channels in the last pack
        ([1, 33, 33, 33], [9, 33, 3, 3], [2], [1], [1], 1),        // blocked, stride 2, packed weights
        ([1, 18, 20, 20], [7, 18, 5, 5], [1], [4], [2], 1),        // blocked 5×5 with dilation 2
        ([1, 48, 30, 30], [36, 48, 3, 3], [1], [1], [1], 1),       // blocked and packed, on the worker threads
        ([2, 48, 30, 30], [38, 48, 3, 3], [1], [1], [1], 1),       // the same for two images: packed once, a 2-channel last pack
        ([1, 24, 40, 41], [20, 24, 3, 3], [2], [1], [1], 1),       // stride 2 on the workers: phase rows split by vector shuffles
        ([4, 32, 16, 16], [8, 32, 3, 3], [1], [1], [1], 1),        // blocked, one image per thread
        ([9, 16, 32, 32], [16, 16, 3, 3], [1], [1], [1], 1),       // images worth splitting, but 9 of them: whole images per core
        ([9, 20, 30, 30], [36, 20, 3, 3], [1], [1], [1], 1),       // the same, blocked with packed weights read by every core
        ([2, 5, 9, 9], [5, 1, 3, 3], [1], [1], [1], 5),            // depthwise
        ([1, 8, 33, 33], [8, 1, 3, 3], [2], [1], [1], 8),          // depthwise, stride 2
        ([1, 3, 7, 7], [3, 1, 5, 5], [1], [2], [1], 3),            // depthwise 5×5 on 7×7
        ([1, 3, 40, 37], [3, 1, 3, 3], [1], [1], [2], 3),          // depthwise, rows longer than 4 vectors
        ([1, 4, 12, 11], [8, 1, 5, 3], [2, 1], [2, 1], [1, 2], 4), // depthwise, multiplier 2
        ([1, 64, 40, 40], [64, 1, 3, 3], [1], [1], [1], 64),       // depthwise, large enough for the workers
        ([1, 6, 15, 50], [6, 1, 3, 3], [1], [1], [1], 6),          // depthwise row tiles: 15 rows (last block moved back), a 2-lane last vector
        ([2, 4, 14, 14], [4, 1, 3, 3], [1], [1], [1], 4),          // depthwise row tiles of 8 rows × 1 vector, the last block moved back
        ([1, 3, 12, 52], [3, 1, 3, 3], [1], [0], [1], 3),          // depthwise row tiles without padding: 3 vectors a row, the last pair moved back
        ([1, 5, 20, 24], [5, 1, 3, 3], [2], [1], [1], 5),          // depthwise stride-2 row tiles of 8 × 1 on a 10 × 12 output
        ([2, 3, 23, 70], [3, 1, 3, 3], [2], [1], [1], 3),          // depthwise stride-2 row tiles: 3 vectors a row (a 3-lane last one)
        ([1, 2, 19, 40], [2, 1, 3, 3], [2], [0], [1], 2),          // depthwise stride-2 row tiles without padding, 9 rows
        ([2, 6, 9, 7], [4, 3, 3, 3], [2], [1, 2], [1, 2], 2),      // grouped: stays on the GEMM
        ([1, 16, 32, 32], [16, 16, 3, 3], [1], [1], [1], 1),       // zmm tiles: two 16-pixel vectors per row, rows of two tiles
        ([1, 80, 10, 20], [32, 80, 3, 3], [1], [1], [1], 1),       // channel-vector pair over two input-channel ranges (64 + 16), 20 tiles in ranges of 8
        ([1, 6, 9, 9], [5, 6, 3, 3], [1], [0], [1], 1),            // 7 wide: the ymm tile on the AVX-512 path
        ([1, 5, 11, 17], [6, 5, 3, 3], [1], [1], [1], 1),          // 17 wide: a 1-lane zmm vector; 11 rows: a filler-padded last tile
        ([1, 20, 14, 30], [7, 20, 3, 3], [1], [1], [1], 1),        // 30 wide: a 14-lane second vector; blocked with zmm tiles
        ([1, 24, 33, 33], [10, 24, 3, 3], [2], [1], [1], 1),       // stride 2 to 17×17 zmm vectors, blocked with packed weights
        ([2, 40, 28, 28], [70, 40, 3, 3], [1], [1], [1], 1),       // 28 wide (16 + 12 lanes), blocked and packed on the workers, 2-channel last block
        ([5, 16, 24, 20], [12, 16, 5, 3], [1], [2, 1], [1], 1),    // a 5×3 kernel on zmm tiles, one image per thread
        ([2, 20, 16, 16], [32, 20, 3, 3], [1], [1], [1], 1),       // channel-vector tiles: 16 wide, two 16-channel blocks, batch 2
        ([3, 5, 10, 8], [16, 5, 3, 3], [1], [1], [1], 1),          // channel-vector tiles spanning two 8-wide rows, batch 3
        ([1, 7, 18, 34], [48, 7, 3, 3], [1], [0], [1], 1),         // channel-vector tiles without padding: 16 × 32 out
        ([1, 3, 16, 16], [16, 3, 5, 5], [1], [2], [1], 1),         // a 5×5 kernel on channel-vector tiles
        ([4, 32, 16, 16], [64, 32, 3, 3], [1], [1], [1], 1),       // channel-vector tiles on the worker threads
        ([1, 64, 8, 8], [256, 64, 3, 3], [1], [1], [1], 1),        // 8×8, sixteen channel blocks
        ([1, 6, 14, 14], [16, 6, 3, 3], [1], [1], [1], 1),         // 14 wide: one partial channel-vector tile per row
        ([2, 5, 12, 28], [32, 5, 3, 3], [1], [1], [1], 1),         // 28 wide, a pair of blocks: two tiles of 14 pixels a row (halves of 7)
        ([1, 8, 6, 28], [48, 8, 3, 3], [1], [1], [1], 1),          // 28 wide, three blocks: tiles of 16 and 12 pixels (the last 12 stored under a mask)
        ([1, 20, 14, 14], [32, 20, 3, 3], [1], [1], [1], 1),       // 14 wide, a pair of blocks: one tile of 14 a row
        ([1, 8, 9, 21], [32, 8, 3, 3], [1], [1], [1], 1),          // 21 wide, a pair of blocks: tiles of 14 and 7 (the AVX2 passes 6 + 4 + 4, then 6 + 4)
        ([1, 70, 12, 28], [32, 70, 3, 3], [1], [1], [1], 1),       // tiles of 14 over two input-channel ranges (64 + 6), sums kept between them
        ([3, 16, 9, 44], [64, 16, 3, 3], [1], [0], [1], 1),        // no padding to 42 wide: three tiles of 14 a row, four blocks, batch 3
        ([1, 4, 33, 33], [16, 4, 3, 3], [1], [1], [1], 1),         // 33 wide: a 1-pixel last tile reading past its row
        ([1, 3, 9, 9], [16, 3, 1, 1], [1], [0], [1], 1),           // 9 wide, 1×1
        ([1, 5, 33, 31], [16, 5, 3, 3], [2], [1], [1], 1),         // channel-vector tiles at stride 2: 17 × 16 out
        ([2, 8, 16, 16], [32, 8, 3, 3], [2], [1], [1], 1),         // stride 2 to 8 wide: tiles of two rows
        ([1, 3, 23, 21], [16, 3, 7, 7], [2], [3], [1], 1),         // a 7×7 stride-2 stem on channel-vector tiles
        ([1, 16, 4, 4], [32, 16, 3, 3], [2], [1], [1], 1),         // stride 2 to 2×2: too narrow for row tiles, gathered columns
        ([1, 32, 8, 8], [32, 32, 3, 3], [2], [1], [1], 1),         // a gate convolution to 4×4: one whole gathered tile
        ([3, 64, 4, 4], [64, 64, 3, 3], [2], [1], [1], 1),         // to 2×2, batch 3, four channel blocks
        ([2, 8, 9, 7], [16, 8, 3, 3], [1], [1], [1], 1),           // 9 × 7 = 63 pixels: four gathered tiles, the last of 15
        ([1, 5, 12, 12], [16, 5, 3, 3], [2], [2], [2], 1),         // gathered with stride 2 and dilation 2 to 6×6
        ([1, 20, 7, 7], [48, 20, 3, 3], [1], [1], [1], 1),         // 7×7, three channel blocks
        ([2, 16, 8, 8], [32, 16, 3, 3], [1], [0], [1], 1),         // no padding to 6×6
        ([1, 16, 9, 9], [16, 16, 3, 3], [1], [0], [1], 1),         // 7×7 = 49 pixels out: a 1-pixel last gathered tile
        ([1, 8, 7, 9], [3, 8, 1, 1], [1], [0], [1], 1),            // pointwise to 3 channels: the GEMM's short path
        ([1, 300, 6, 11], [26, 300, 1, 1], [1], [0], [1], 1),      // pointwise, 300 deep: two k slices before the epilogue
        ([2, 64, 12, 12], [40, 64, 1, 1], [1], [0], [1], 1),       // pointwise on the GEMM's wide tile and its leftover rows
        ([1, 24, 7, 11], [30, 24, 1, 1], [1], [0], [1], 1),        // shallow pointwise, rows before columns: 6 leftover rows, a 13-column last panel
    ];

    /// <summary>Every shape, kernel and epilogue; the direct kernel, the GEMM and the channel-vector
    /// tiles on their AVX-512 paths (the zmm tiles) and their AVX2 paths, which stay tested on
    /// AVX-512 machines.</summary>
    public static TheoryData<int, string, Epilogue, SimdPath> Cases()
    {
        var data = new TheoryData<int, string, Epilogue, SimdPath>();
        for (var shape = 0; shape < _shapes.Length; shape++)
            foreach (var algorithm in _algorithms)
                foreach (var epilogue in Enum.GetValues<Epilogue>())
                    foreach (var path in algorithm is ConvAlgorithm.Direct or ConvAlgorithm.Im2ColGemm or ConvAlgorithm.ChannelVector ? [SimdPath.Avx512, SimdPath.Avx2] : new[] { SimdPath.Avx512 })
                        data.Add(shape, algorithm.ToString(), epilogue, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedConvolutionMatchesTheLoopNest(int shape, string kernel, Epilogue epilogue, SimdPath path)
    {
        var algorithm = Enum.Parse<ConvAlgorithm>(kernel);
        var (inputShape, weightShape, stride, padding, dilation, groups) = _shapes[shape];
        var input = DenseReference.RandomTensor(10 + shape, inputShape);
        var weight = DenseReference.RandomTensor(40 + shape, weightShape);
        var bias = DenseReference.RandomTensor(70 + shape, weightShape[0]);
        var outShape = TensorOps.Conv2d(input, weight, bias, stride, padding, dilation, groups).ShapeArray();
        var relu = epilogue is Epilogue.Relu or Epilogue.ResidualInPlaceRelu;
        Tensor? residual = epilogue is Epilogue.BiasOnly or Epilogue.Relu ? null : DenseReference.RandomTensor(99, outShape);
        var (expected, scale) = LoopNest(input, weight, bias, residual, relu, stride, padding, dilation, groups);

        // In place: the destination holds the residual; otherwise it holds stale values that
        // must all be overwritten.
        var destination = epilogue == Epilogue.ResidualInPlaceRelu ? Tensor.FromArray(residual!.ToFloatArray(), outShape) : Tensor.Full(123f, outShape);
        var residualOperand = epilogue == Epilogue.ResidualInPlaceRelu ? destination : residual;
        using (KernelIsa.Force(path))
            TensorOps.Conv2dFusedWith(input, weight, bias, residualOperand, relu, stride, padding, dilation, groups, destination, algorithm, Environment.ProcessorCount);
        ConvTolerance.AssertClose(expected, scale, destination.ToFloatArray());
    }

    [Fact]
    public void PublicFusedEntryPointAppliesResidualAndRelu()
    {
        var input = DenseReference.RandomTensor(1, 1, 16, 32, 32);
        var weight = DenseReference.RandomTensor(2, 16, 16, 3, 3);
        var bias = DenseReference.RandomTensor(3, 16);
        var residual = DenseReference.RandomTensor(4, 1, 16, 32, 32);
        var (expected, scale) = LoopNest(input, weight, bias, residual, true, [1], [1], [1], 1);
        var destination = Tensor.FromArray(residual.ToFloatArray(), 1, 16, 32, 32);
        TensorOps.Conv2dFusedInto(input, weight, bias, destination, true, [1], [1], [1], 1, destination);
        ConvTolerance.AssertClose(expected, scale, destination.ToFloatArray());
        Assert.Contains(destination.ToFloatArray(), v => v == 0f);
    }

    [Fact]
    public void ReluKeepsNaN()
    {
        var input = Tensor.FromArray(new[] { float.NaN, 1f, 2f, 3f }, 1, 1, 2, 2);
        var destination = Tensor.Zeros(1, 2, 2, 2);
        TensorOps.Conv2dFusedInto(input, Tensor.Full(1f, 2, 1, 1, 1), Tensor.FromArray(new[] { 0f, -10f }, 2), null, true, [1], [0], [1], 1, destination);
        var values = destination.ToFloatArray();
        Assert.True(float.IsNaN(values[0]));
        Assert.Equal(new[] { 1f, 2f, 3f }, values[1..4]);
        Assert.True(float.IsNaN(values[4]));
        Assert.Equal(new[] { 0f, 0f, 0f }, values[5..8]);
    }

    [Fact]
    public void ResidualOfAnotherShapeThrowsNamingTheOp()
    {
        var input = DenseReference.RandomTensor(1, 1, 3, 6, 6);
        var weight = DenseReference.RandomTensor(2, 4, 3, 3, 3);
        var ex = Assert.Throws<TensorOpException>(() =>
            TensorOps.Conv2dFusedInto(input, weight, Tensor.Zeros(4), Tensor.Zeros(1, 4, 6, 5), false, [1], [1], [1], 1, Tensor.Zeros(1, 4, 6, 6)));
        Assert.Equal("conv2d", ex.Op);
        Assert.Contains("[1, 4, 6, 5]", ex.Message);
        Assert.Throws<TensorOpException>(() =>
            TensorOps.Conv2dFusedInto(input, weight, Tensor.Zeros(4), null, false, [1], [1], [1], 1, Tensor.Zeros(1, 4, 5, 5)));
    }

    [Property(MaxTest = 60)]
    public Property RandomGeometriesMatchTheLoopNest() =>
        Prop.ForAll(
            Gen.Choose(1, 9).Four().ToArbitrary(),  // in channels, out channels, kernel height, kernel width
            Gen.Choose(0, 23).Four().ToArbitrary(), // height, width, stride·pad·dilation, epilogue·depthwise·flavour
            (channels, geometry) =>
            {
                var (inC, outC, kh, kw) = channels;
                kh = (kh - 1) % 5 + 1;
                kw = (kw - 1) % 5 + 1;
                var (extraH, extraW, mix, options) = geometry;
                var stride = mix % 2 + 1;
                var pad = mix / 2 % 3;
                var dilation = mix / 6 % 2 + 1;
                var depthwise = options / 4 % 3 == 0;
                var groups = depthwise ? inC : 1;
                if (depthwise) outC = inC;
                var relu = options % 2 == 1;
                var withResidual = options / 2 % 2 == 1;
                var algorithm = options / 12 == 0 ? ConvAlgorithm.Direct : ConvAlgorithm.DirectPortable;
                var h = Math.Max(1, dilation * (kh - 1) + 1 - 2 * pad) + extraH;
                var w = Math.Max(1, dilation * (kw - 1) + 1 - 2 * pad) + extraW;
                var seed = extraH * 31 + extraW * 7 + mix;
                var input = DenseReference.RandomTensor(seed, 1, inC, h, w);
                var weight = DenseReference.RandomTensor(seed + 1, outC, depthwise ? 1 : inC, kh, kw);
                var bias = DenseReference.RandomTensor(seed + 2, outC);
                var oh = (h + 2 * pad - dilation * (kh - 1) - 1) / stride + 1;
                var ow = (w + 2 * pad - dilation * (kw - 1) - 1) / stride + 1;
                var residual = withResidual ? DenseReference.RandomTensor(seed + 3, 1, outC, oh, ow) : null;
                var (expected, scale) = LoopNest(input, weight, bias, residual, relu, [stride], [pad], [dilation], groups);
                var destination = Tensor.Full(-7f, 1, outC, oh, ow);
                // Both FMA paths: the zmm tile (rows wider than 8) and the AVX2 tile alone.
                using (KernelIsa.Force((inC + outC + extraW) % 2 == 0 ? SimdPath.Avx512 : SimdPath.Avx2))
                    TensorOps.Conv2dFusedWith(input, weight, bias, residual, relu, [stride], [pad], [dilation], groups, destination, algorithm, 1);
                return ConvTolerance.Close(expected, scale, destination.ToFloatArray(), out _);
            });

    /// <summary>relu?(conv + bias + residual) by the definition, in double, and per element the
    /// sum of the magnitudes of everything added (the scale of its rounding error).</summary>
    private static (double[] Expected, double[] Scale) LoopNest(Tensor input, Tensor weight, Tensor bias, Tensor? residual, bool relu,
        int[] stride, int[] padding, int[] dilation, int groups)
    {
        static (int, int) P(int[] v) => v.Length == 1 ? (v[0], v[0]) : (v[0], v[1]);
        var (sh, sw) = P(stride);
        var (ph, pw) = P(padding);
        var (dh, dw) = P(dilation);
        int n = input.Dim(0), c = input.Dim(1), h = input.Dim(2), w = input.Dim(3);
        int o = weight.Dim(0), cg = weight.Dim(1), kh = weight.Dim(2), kw = weight.Dim(3);
        var oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        var ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        var x = input.ToFloatArray();
        var wt = weight.ToFloatArray();
        var b = bias.ToFloatArray();
        var r = residual?.ToFloatArray();
        var expected = new double[n * o * oh * ow];
        var scale = new double[expected.Length];
        var perGroup = o / groups;
        for (var img = 0; img < n; img++)
            for (var oc = 0; oc < o; oc++)
                for (var y = 0; y < oh; y++)
                    for (var xo = 0; xo < ow; xo++)
                    {
                        var at = ((img * o + oc) * oh + y) * ow + xo;
                        double sum = b[oc], magnitude = Math.Abs(b[oc]);
                        for (var ic = 0; ic < cg; ic++)
                            for (var ky = 0; ky < kh; ky++)
                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var iy = y * sh - ph + ky * dh;
                                    var ix = xo * sw - pw + kx * dw;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    var product = (double)x[((img * c + oc / perGroup * cg + ic) * h + iy) * w + ix] * wt[((oc * cg + ic) * kh + ky) * kw + kx];
                                    sum += product;
                                    magnitude += Math.Abs(product);
                                }
                        if (r != null)
                        {
                            sum += r[at];
                            magnitude += Math.Abs(r[at]);
                        }
                        expected[at] = relu ? Math.Max(sum, 0) : sum;
                        scale[at] = magnitude;
                    }
        return (expected, scale);
    }
}
