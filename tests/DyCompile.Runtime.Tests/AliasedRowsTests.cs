namespace DyCompile.Runtime.Tests;

/// <summary>Products whose A rows are a multiple of 4 KiB apart, which the 12-row zmm tile reads
/// from a copy with longer rows (<see cref="AliasedRows"/>) and the pointwise convolution from its
/// weight's kept padded copy (<see cref="RowPaddedWeights"/>): the same results as a naive
/// product on every path, through each GEMM entry point, and after a weight changes in place.</summary>
public class AliasedRowsTests
{
    public static TheoryData<SimdPath> Paths() => [SimdPath.Avx512, SimdPath.Avx2];

    // (m, n, k, lda): whole and partial 12-row blocks, one and several k slices, a window of A
    // narrower than its stride, and a stride of 2048 floats.
    private static readonly (int M, int N, int K, int Lda)[] _shapes =
    [
        (40, 40, 1024, 1024),
        (30, 50, 2048, 2048),
        (25, 33, 700, 1024),
        (13, 70, 1500, 2048),
        (130, 20, 1024, 1024),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void BlockedProductMatchesTheNaiveOne(SimdPath path)
    {
        foreach (var (m, n, k, lda) in _shapes)
        {
            var a = DenseReference.Random(m * lda, m + k);
            var b = DenseReference.Random(k * n, n + 3 * k);
            var c = DenseReference.Random(m * n, 7);
            var expected = DenseReference.MatMul(false, false, m, n, k, a, lda, b, n);
            for (var i = 0; i < expected.Length; i++) expected[i] += c[i];
            using (KernelIsa.Force(path)) Gemm.Sgemm(false, false, m, n, k, a, lda, b, n, c, n, accumulate: true);
            DenseReference.AssertClose(expected, c);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void PrepackedProductMatchesTheNaiveOneOnOneAndAllCores(SimdPath path)
    {
        foreach (var (m, n, k, lda) in _shapes)
        {
            var a = DenseReference.Random(m * lda, 2 * m + k);
            var w = DenseReference.Random(n * k, n + 5 * k);
            var packed = GemmPackedB.Pack(w, k, transB: true, k, n);
            var expected = DenseReference.MatMul(false, true, m, n, k, a, lda, w, k);
            var all = new float[m * n];
            var one = new float[m * n];
            using (KernelIsa.Force(path))
            {
                Gemm.Sgemm(packed, m, a, lda, all, n);
                Gemm.Sgemm(packed, m, a, lda, one, n, accumulate: false, maxThreads: 1, forcePortable: false);
            }
            DenseReference.AssertClose(expected, all);
            DenseReference.AssertClose(expected, one);
        }
    }

    /// <summary>1 × 1 convolutions from 1024 channels on the GEMM, with kept weights (as compiled
    /// code calls them): unit stride (the image read as B) and stride 2 (im2col panels), bias,
    /// residual and ReLU; then the weight changed in place and marked modified.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void PointwiseConvolutionFromAPaddedWeightFollowsTheWeight(SimdPath path)
    {
        foreach (var stride in new[] { 1, 2 })
        {
            var input = DenseReference.RandomTensor(11, 1, 1024, 6, 6);
            var weight = DenseReference.RandomTensor(12, 28, 1024, 1, 1);
            var bias = DenseReference.RandomTensor(13, 28);
            var side = (6 - 1) / stride + 1;
            var residual = DenseReference.RandomTensor(14, 1, 28, side, side);
            int[] strides = [stride, stride], zero = [0, 0], one = [1, 1];
            for (var round = 0; round < 2; round++)
            {
                var expected = DenseReference.Conv2d(input, weight, bias.ToFloatArray(), (stride, stride), (0, 0), (1, 1), 1);
                var res = residual.Floats;
                for (var i = 0; i < expected.Length; i++) expected[i] = Math.Max(0f, expected[i] + res[i]);
                var output = Tensor.Zeros(1, 28, side, side);
                using (KernelIsa.Force(path))
                    TensorOps.Conv2dFusedWith(input, weight, bias, residual, true, strides, zero, one, 1, output, ConvAlgorithm.Im2ColGemm, Environment.ProcessorCount);
                DenseReference.AssertClose(expected, output.Floats);

                var values = weight.Floats;
                for (var i = 0; i < values.Length; i++) values[i] = -0.5f * values[i] + 0.001f * (i % 5);
                weight.MarkModified();
            }
        }
    }
}
