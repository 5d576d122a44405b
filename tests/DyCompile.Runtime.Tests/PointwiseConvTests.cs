using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DyCompile.Runtime.Tests;

/// <summary>The pointwise (1×1, unit stride, no padding) convolution kernel, FMA and portable,
/// with the fused bias + residual + ReLU epilogue, against a plain matrix-product loop.</summary>
public class PointwiseConvTests
{
    /// <summary>How a case adds a residual and applies ReLU.</summary>
    public enum Epilogue
    {
        BiasOnly,
        Relu,
        Residual,
        ResidualInPlaceRelu,
    }

    private static readonly ConvAlgorithm[] _algorithms = [ConvAlgorithm.Pointwise, ConvAlgorithm.PointwisePortable, ConvAlgorithm.Auto];

    // (batch, in channels, out channels, height, width)
    private static readonly (int Batch, int In, int Out, int H, int W)[] _shapes =
    [
        (1, 1, 1, 1, 1),       // one pixel, one channel
        (1, 3, 5, 1, 1),       // one pixel: a 1-lane narrow tail and a 5-channel block
        (2, 7, 13, 5, 3),      // batch 2; 15 pixels: a wide tail of 15
        (1, 16, 6, 4, 4),      // exactly one 16-pixel tile, exactly one channel block
        (1, 17, 8, 3, 3),      // 9 pixels: a wide tail with a 1-lane second vector
        (1, 6, 7, 23, 23),     // 529 pixels: 33 tiles and a 1-pixel tail
        (1, 33, 65, 5, 5),     // 25 pixels: a tile and a wide tail of 9
        (1, 70, 70, 9, 9),     // 81 pixels; 70 channels: 11 blocks of 6 and one of 4
        (2, 64, 70, 12, 12),   // 144 pixels: whole tiles only
        (1, 200, 190, 8, 8),   // 200-float weight rows, worth the workers
        (1, 40, 50, 112, 112), // a large plane: several chunks, worth the workers
        (3, 9, 11, 7, 7),      // a batch of 7×7 planes
        (1, 32, 48, 60, 60),   // 32 channels read in place on a large plane: whole tiles, worth the workers
        (2, 24, 20, 57, 57),   // in place, batch 2, a 1-pixel tail copied to its own panel
        (1, 33, 12, 30, 30),   // 33 channels: just past in place, on panels
        (2, 16, 20, 32, 32),   // few channels on 4 KiB planes: packed chunks, batch 2
        (1, 12, 7, 64, 48),    // 3 × 4 KiB planes of 12 channels: packed, several chunks
    ];

    /// <summary>Every shape, kernel and epilogue; the FMA kernel on its AVX-512 (32-pixel zmm tile
    /// and 16-pixel tail tiles) and its AVX2 path, which stays tested on AVX-512 machines.</summary>
    public static TheoryData<int, string, Epilogue, int, SimdPath> Cases()
    {
        var data = new TheoryData<int, string, Epilogue, int, SimdPath>();
        for (var shape = 0; shape < _shapes.Length; shape++)
            foreach (var algorithm in _algorithms)
                foreach (var epilogue in Enum.GetValues<Epilogue>())
                    foreach (var path in algorithm == ConvAlgorithm.Pointwise ? [SimdPath.Avx512, SimdPath.Avx2] : new[] { SimdPath.Avx512 })
                        data.Add(shape, algorithm.ToString(), epilogue, epilogue == Epilogue.Residual ? 1 : Environment.ProcessorCount, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedPointwiseConvolutionMatchesTheMatrixProduct(int shape, string kernel, Epilogue epilogue, int threads, SimdPath path)
    {
        var algorithm = Enum.Parse<ConvAlgorithm>(kernel);
        var (batch, inC, outC, h, w) = _shapes[shape];
        var input = DenseReference.RandomTensor(10 + shape, batch, inC, h, w);
        var weight = DenseReference.RandomTensor(40 + shape, outC, inC, 1, 1);
        var bias = DenseReference.RandomTensor(70 + shape, outC);
        int[] outShape = [batch, outC, h, w];
        var relu = epilogue is Epilogue.Relu or Epilogue.ResidualInPlaceRelu;
        Tensor? residual = epilogue is Epilogue.BiasOnly or Epilogue.Relu ? null : DenseReference.RandomTensor(99, outShape);
        var (expected, scale) = Reference(input, weight, bias, residual, relu);

        // In place: the destination holds the residual; otherwise it holds stale values that
        // must all be overwritten.
        var destination = epilogue == Epilogue.ResidualInPlaceRelu ? Tensor.FromArray(residual!.ToFloatArray(), outShape) : Tensor.Full(123f, outShape);
        var residualOperand = epilogue == Epilogue.ResidualInPlaceRelu ? destination : residual;
        using (KernelIsa.Force(path)) TensorOps.Conv2dFusedWith(input, weight, bias, residualOperand, relu, [1], [0], [1], 1, destination, algorithm, threads);
        ConvTolerance.AssertClose(expected, scale, destination.ToFloatArray());
    }

    [Fact]
    public void PublicEntryPointsRunPointwiseShapes()
    {
        var input = DenseReference.RandomTensor(1, 2, 19, 10, 11);
        var weight = DenseReference.RandomTensor(2, 23, 19, 1, 1);
        var bias = DenseReference.RandomTensor(3, 23);
        var (expected, scale) = Reference(input, weight, bias, null, false);
        ConvTolerance.AssertClose(expected, scale, TensorOps.Conv2d(input, weight, bias, [1], [0], [1], 1).ToFloatArray());
        var destination = Tensor.Full(-5f, 2, 23, 10, 11);
        TensorOps.Conv2dInto(input, weight, bias, [1], [0], [1], 1, destination);
        ConvTolerance.AssertClose(expected, scale, destination.ToFloatArray());
    }

    [Fact]
    public void PinnedPointwiseRunsOtherShapesOnTheDirectKernel()
    {
        // A strided 1×1 convolution is not pointwise in the kernel's sense: the pinned choice
        // must still give the convolution, not the unstrided product.
        var input = DenseReference.RandomTensor(5, 1, 4, 9, 9);
        var weight = DenseReference.RandomTensor(6, 5, 4, 1, 1);
        var bias = DenseReference.RandomTensor(7, 5);
        var expected = TensorOps.Conv2d(input, weight, bias, [2], [0], [1], 1).ToFloatArray();
        var destination = Tensor.Zeros(1, 5, 5, 5);
        TensorOps.Conv2dFusedWith(input, weight, bias, null, false, [2], [0], [1], 1, destination, ConvAlgorithm.Pointwise, 1);
        DenseReference.AssertClose(expected, destination.ToFloatArray());
    }

    [Property(MaxTest = 60)]
    public Property RandomShapesMatchTheMatrixProduct() =>
        Prop.ForAll(
            Gen.Choose(1, 70).Two().ToArbitrary(), // in channels, out channels
            Gen.Choose(1, 23).Three().ToArbitrary(), // height, width, epilogue·flavour·threads
            (channels, geometry) =>
            {
                var (inC, outC) = channels;
                var (h, w, options) = geometry;
                var relu = options % 2 == 1;
                var withResidual = options / 2 % 2 == 1;
                var algorithm = options / 4 % 2 == 0 ? ConvAlgorithm.Pointwise : ConvAlgorithm.PointwisePortable;
                var threads = options / 8 == 0 ? 1 : Environment.ProcessorCount;
                var seed = inC * 31 + outC * 7 + h * 3 + w;
                var input = DenseReference.RandomTensor(seed, 1, inC, h, w);
                var weight = DenseReference.RandomTensor(seed + 1, outC, inC, 1, 1);
                var bias = DenseReference.RandomTensor(seed + 2, outC);
                var residual = withResidual ? DenseReference.RandomTensor(seed + 3, 1, outC, h, w) : null;
                var (expected, scale) = Reference(input, weight, bias, residual, relu);
                var destination = Tensor.Full(-7f, 1, outC, h, w);
                // Both FMA paths: the zmm tile with 16-pixel tails, and the AVX2 tiles alone.
                using (KernelIsa.Force((inC + outC + h) % 2 == 0 ? SimdPath.Avx512 : SimdPath.Avx2))
                    TensorOps.Conv2dFusedWith(input, weight, bias, residual, relu, [1], [0], [1], 1, destination, algorithm, threads);
                return ConvTolerance.Close(expected, scale, destination.ToFloatArray(), out _);
            });

    /// <summary>relu?(W · x + bias + residual) per image and pixel, in double, and per element the
    /// sum of the magnitudes of everything added (the scale of its rounding error).</summary>
    private static (double[] Expected, double[] Scale) Reference(Tensor input, Tensor weight, Tensor bias, Tensor? residual, bool relu)
    {
        int batch = input.Dim(0), inC = input.Dim(1), plane = input.Dim(2) * input.Dim(3), outC = weight.Dim(0);
        var x = input.ToFloatArray();
        var wt = weight.ToFloatArray();
        var b = bias.ToFloatArray();
        var r = residual?.ToFloatArray();
        var expected = new double[batch * outC * plane];
        var scale = new double[expected.Length];
        for (var n = 0; n < batch; n++)
            for (var oc = 0; oc < outC; oc++)
                for (var p = 0; p < plane; p++)
                {
                    var at = (n * outC + oc) * plane + p;
                    double sum = b[oc], magnitude = Math.Abs(b[oc]);
                    for (var ic = 0; ic < inC; ic++)
                    {
                        var product = (double)wt[oc * inC + ic] * x[(n * inC + ic) * plane + p];
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
