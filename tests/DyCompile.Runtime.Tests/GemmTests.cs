using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DyCompile.Runtime.Tests;

public class GemmTests
{
    public static TheoryData<int, int, int> EdgeSizes()
    {
        var data = new TheoryData<int, int, int>();
        // Tile edges: MR = 6, NR = 16, MC = 96, KC = 256 (512 where A is read in place).
        foreach (var (m, n, k) in new[]
                 {
                     (1, 1, 1), (7, 17, 63), (17, 65, 129), (63, 7, 65), (65, 129, 17), (129, 63, 7),
                     (6, 16, 256), (97, 33, 257), (5, 300, 3), (200, 40, 300), (65, 1, 129), (300, 1, 7), (7, 4100, 5),
                     (25, 40, 513), (13, 70, 1100),
                 })
            data.Add(m, n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(EdgeSizes))]
    public void MatchesNaiveProductForEveryTransposeCombination(int m, int n, int k)
    {
        foreach (var transA in new[] { false, true })
            foreach (var transB in new[] { false, true })
            {
                var a = DenseReference.Random(m * k, m + k);
                var b = DenseReference.Random(k * n, n + 3 * k);
                int lda = transA ? m : k, ldb = transB ? k : n;
                var expected = DenseReference.MatMul(transA, transB, m, n, k, a, lda, b, ldb);
                var c = new float[m * n];
                Gemm.Sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, n);
                DenseReference.AssertClose(expected, c);
            }
    }

    [Theory]
    [InlineData(13, 37, 29)]
    [InlineData(130, 70, 300)]
    public void PortableMicroKernelMatchesNaiveProduct(int m, int n, int k)
    {
        var a = DenseReference.Random(m * k, 1);
        var b = DenseReference.Random(k * n, 2);
        var c = new float[m * n];
        Gemm.Sgemm(false, true, m, n, k, a, k, b, k, c, n, accumulate: false, maxThreads: 1, forcePortable: true);
        DenseReference.AssertClose(DenseReference.MatMul(false, true, m, n, k, a, k, b, k), c);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void LargeProductSplitAcrossCoresMatchesNaive(bool transA, bool transB)
    {
        const int m = 150, n = 190, k = 270; // above the parallel threshold, ragged blocks
        var a = DenseReference.Random(m * k, 5);
        var b = DenseReference.Random(k * n, 6);
        int lda = transA ? m : k, ldb = transB ? k : n;
        var c = new float[m * n];
        Gemm.Sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, n);
        DenseReference.AssertClose(DenseReference.MatMul(transA, transB, m, n, k, a, lda, b, ldb), c);
    }

    [Fact]
    public void AccumulateAddsToExistingValuesAndRespectsLeadingDimensions()
    {
        // A 3×4 window of a 3×6 C, with A and B as views into wider storage.
        const int m = 3, n = 4, k = 5, lda = 7, ldb = 9, ldc = 6;
        var a = DenseReference.Random(m * lda, 11);
        var b = DenseReference.Random(k * ldb, 12);
        var c = Enumerable.Range(0, m * ldc).Select(i => (float)i).ToArray();
        var original = (float[])c.Clone();
        Gemm.Sgemm(false, false, m, n, k, a, lda, b, ldb, c, ldc, accumulate: true);
        var product = DenseReference.MatMul(false, false, m, n, k, a, lda, b, ldb);
        for (var i = 0; i < m; i++)
            for (var j = 0; j < ldc; j++)
            {
                var expected = original[i * ldc + j] + (j < n ? product[i * n + j] : 0f);
                Assert.Equal(expected, c[i * ldc + j], 1e-4f);
            }
    }

    [Fact]
    public void HandComputedTwoByTwo()
    {
        float[] a = [1, 2, 3, 4];
        float[] b = [5, 6, 7, 8];
        var c = new float[4];
        Gemm.Sgemm(false, false, 2, 2, 2, a, 2, b, 2, c, 2);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c);
        Gemm.Sgemm(false, true, 2, 2, 2, a, 2, b, 2, c, 2);
        Assert.Equal(new float[] { 17, 23, 39, 53 }, c);
    }

    [Fact]
    public void ZeroDepthGivesZerosOrLeavesAccumulatorAndEmptyRowsDoNothing()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Sgemm(false, false, 2, 3, 0, [], 1, [], 3, c, 3, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c);
        Gemm.Sgemm(false, false, 2, 3, 0, [], 1, [], 3, c, 3);
        Assert.All(c, v => Assert.Equal(0f, v));
        Gemm.Sgemm(false, false, 0, 3, 4, [], 4, new float[12], 3, [], 3);
    }

    [Fact]
    public void RejectsOperandsTooShortForTheirShape()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 2, new float[3], 2, new float[4], 2, new float[4], 2));
        Assert.Contains("A", e.Message);
    }

    [Property(MaxTest = 60)]
    public Property RandomSmallShapesMatchNaive() =>
        Prop.ForAll(
            Gen.Choose(1, 40).Three().ToArbitrary(),
            Gen.Elements(false, true).Two().ToArbitrary(),
            (size, trans) =>
            {
                var (m, n, k) = size;
                var (transA, transB) = trans;
                var a = DenseReference.Random(m * k, m * 31 + k);
                var b = DenseReference.Random(k * n, n * 17 + k);
                int lda = transA ? m : k, ldb = transB ? k : n;
                var c = new float[m * n];
                Gemm.Sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, n);
                return DenseReference.CloseRelative(DenseReference.MatMul(transA, transB, m, n, k, a, lda, b, ldb), c, 1e-4f);
            });
}
