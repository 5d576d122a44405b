namespace DyCompile.Runtime.Tests;

/// <summary>The GEMM on each instruction-set path (the 12 × 32 and 12 × 16 zmm tiles, the 6 × 16 ymm tile, the
/// portable tile) against a naive product, on random shapes with odd sizes and every kind of
/// tail; the AVX2 path is forced on AVX-512 machines so it stays tested there.</summary>
public class GemmSimdPathTests
{
    public static TheoryData<SimdPath> Paths() => [SimdPath.Avx512, SimdPath.Avx2, SimdPath.Portable];

    /// <summary>Fixed and random (m, n, k): m around the 12-row and 6-row tiles, n around the 16-column panel, k around the 256-deep slice.</summary>
    private static IEnumerable<(int M, int N, int K)> RandomShapes(int seed, int count)
    {
        var random = new Random(seed);
        yield return (12, 16, 1);
        yield return (24, 32, 257);
        yield return (18, 17, 5);
        yield return (97, 31, 300);
        // Every count of rows a 12-row block leaves (1–11), against full pairs of panels.
        for (var m = 13; m <= 23; m++) yield return (m, 64, 33);
        for (var i = 0; i < count; i++)
            yield return (random.Next(5, 140), random.Next(1, 90), random.Next(1, 600));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryTransposeCombinationMatchesNaiveProduct(SimdPath path)
    {
        foreach (var (m, n, k) in RandomShapes(17, 12))
            foreach (var transA in new[] { false, true })
                foreach (var transB in new[] { false, true })
                {
                    var a = DenseReference.Random(m * k, m + 3 * k);
                    var b = DenseReference.Random(k * n, n + 7 * k);
                    int lda = transA ? m : k, ldb = transB ? k : n;
                    var expected = DenseReference.MatMul(transA, transB, m, n, k, a, lda, b, ldb);
                    var c = new float[m * n];
                    using (KernelIsa.Force(path)) Gemm.Sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, n);
                    DenseReference.AssertClose(expected, c);
                }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void PrepackedWeightMatchesNaiveProductOnOneAndAllCores(SimdPath path)
    {
        foreach (var (m, n, k) in RandomShapes(29, 10).Append((128, 256, 256)).Append((128, 64, 1024)))
        {
            var a = DenseReference.Random(m * k, m + 5 * k);
            var w = DenseReference.Random(n * k, 11 * n + k);
            var packed = GemmPackedB.Pack(w, k, transB: true, k, n);
            var expected = DenseReference.MatMul(false, true, m, n, k, a, k, w, k);
            var all = new float[m * n];
            var one = new float[m * n];
            using (KernelIsa.Force(path))
            {
                Gemm.Sgemm(packed, m, a, k, all, n);
                Gemm.Sgemm(packed, m, a, k, one, n, accumulate: false, maxThreads: 1, forcePortable: false);
            }
            DenseReference.AssertClose(expected, all);
            DenseReference.AssertClose(expected, one);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void AccumulatesIntoAStridedWindowOfC(SimdPath path)
    {
        // A 25 × 40 window of a wider C, with A read through a wider leading dimension: the zmm
        // tile's accumulate path and its leftover rows and columns.
        const int m = 25, n = 40, k = 70, lda = 75, ldc = 47;
        var a = DenseReference.Random(m * lda, 3);
        var b = DenseReference.Random(k * n, 4);
        var c = DenseReference.Random(m * ldc, 5);
        var initial = (float[])c.Clone();
        var product = DenseReference.MatMul(false, false, m, n, k, a, lda, b, n);
        var packed = GemmPackedB.Pack(b, n, transB: false, k, n);
        var viaPacked = (float[])c.Clone();
        using (KernelIsa.Force(path))
        {
            Gemm.Sgemm(false, false, m, n, k, a, lda, b, n, c, ldc, accumulate: true);
            Gemm.Sgemm(packed, m, a, lda, viaPacked, ldc, accumulate: true);
        }
        var expected = new float[m * ldc];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < ldc; j++)
                expected[i * ldc + j] = initial[i * ldc + j] + (j < n ? product[i * n + j] : 0f);
        DenseReference.AssertClose(expected, c);
        DenseReference.AssertClose(expected, viaPacked);
    }

    [Fact]
    public void ForcingCapsThePathOnThisThreadOnlyAndNeverAboveTheHardware()
    {
        var before = KernelIsa.Current;
        using (KernelIsa.Force(SimdPath.Portable))
        {
            Assert.Equal(SimdPath.Portable, KernelIsa.Current);
            using (KernelIsa.Force(SimdPath.Avx512)) Assert.Equal(KernelIsa.Process, KernelIsa.Current);
            Assert.Equal(SimdPath.Portable, KernelIsa.Current);
            SimdPath? other = null;
            var thread = new Thread(() => other = KernelIsa.Current);
            thread.Start();
            thread.Join();
            Assert.Equal(KernelIsa.Process, other);
        }
        Assert.Equal(before, KernelIsa.Current);
        Assert.True(KernelIsa.Process <= KernelIsa.Hardware);
    }
}
