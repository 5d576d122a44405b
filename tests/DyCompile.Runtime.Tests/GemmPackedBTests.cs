namespace DyCompile.Runtime.Tests;

/// <summary>Products with a B operand packed once (<see cref="GemmPackedB"/>) and batches of
/// products (<see cref="Gemm.SgemmBatch"/>) against naive loops.</summary>
public class GemmPackedBTests
{
    public static TheoryData<int, int, int> Sizes()
    {
        var data = new TheoryData<int, int, int>();
        // Tile edges (MR = 6, NR = 16, MC = 96, KC = 256), k over one slice, the transformer's
        // shapes (m = 128, k, n = 256 / 1024) and the decoder's small m. Up to 4 rows take the
        // few-rows products: four panels a row, a group filled with repeats (5 panels), a last
        // panel of fewer than 16 columns, several k slices, and a B of 1 MiB that runs on all cores.
        foreach (var (m, n, k) in new[]
                 {
                     (1, 1, 1), (7, 17, 63), (13, 33, 257), (97, 65, 300), (128, 256, 256), (128, 1024, 256), (128, 256, 1024),
                     (16, 256, 256), (29, 100, 513), (5, 3, 2), (200, 15, 31),
                     (1, 64, 40), (1, 70, 40), (2, 37, 300), (3, 100, 513), (4, 16, 5), (1, 1024, 256), (2, 1000, 300),
                 })
            data.Add(m, n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void PackedTransposedWeightMatchesNaiveProduct(int m, int n, int k)
    {
        var a = DenseReference.Random(m * k, m + 7 * k);
        var w = DenseReference.Random(n * k, n + 5 * k);
        var packed = GemmPackedB.Pack(w, k, transB: true, k, n);
        Assert.Equal((k, n), (packed.K, packed.N));
        var expected = DenseReference.MatMul(false, true, m, n, k, a, k, w, k);
        var c = new float[m * n];
        Gemm.Sgemm(packed, m, a, k, c, n);
        DenseReference.AssertClose(expected, c);
        // On the AVX2 path, which takes up to four rows as few-row products on any machine.
        var avx2 = new float[m * n];
        using (KernelIsa.Force(SimdPath.Avx2)) Gemm.Sgemm(packed, m, a, k, avx2, n);
        DenseReference.AssertClose(expected, avx2);
        // The same packed operand again, on one core and with the portable tile.
        var single = new float[m * n];
        Gemm.Sgemm(packed, m, a, k, single, n, accumulate: false, maxThreads: 1, forcePortable: true);
        DenseReference.AssertClose(expected, single);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ColumnBiasStartsEveryRowOfTheProduct(int m, int n, int k)
    {
        var a = DenseReference.Random(m * k, 3 * m + k);
        var w = DenseReference.Random(n * k, 2 * n + k);
        var bias = DenseReference.Random(n, n + 1);
        var packed = GemmPackedB.Pack(w, k, transB: true, k, n);
        var product = DenseReference.MatMul(false, true, m, n, k, a, k, w, k);
        var expected = new float[m * n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++) expected[i * n + j] = bias[j] + product[i * n + j];
        // C holds garbage beforehand: the bias replaces it, on every path.
        var c = DenseReference.Random(m * n, 99);
        Gemm.Sgemm(packed, m, a, k, c, n, bias);
        DenseReference.AssertClose(expected, c);
        var single = DenseReference.Random(m * n, 98);
        Gemm.Sgemm(packed, m, a, k, single, n, accumulate: false, maxThreads: 1, forcePortable: true, GemmEpilogue.None, bias);
        DenseReference.AssertClose(expected, single);
    }

    [Fact]
    public void ColumnBiasOfAnotherWidthIsRefused()
    {
        var packed = GemmPackedB.Pack(new float[12], 4, transB: true, 4, 3);
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(packed, 2, new float[8], 4, new float[6], 3, new float[4]));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(packed, 2, new float[8], 4, new float[6], 3, accumulate: true, maxThreads: 1, forcePortable: false,
            GemmEpilogue.None, new float[3]));
    }

    [Theory]
    [InlineData(9, 40, 20)]
    [InlineData(130, 70, 300)]
    [InlineData(3, 40, 20)]
    [InlineData(1, 1000, 300)]
    public void PackedRowMajorMatrixAccumulatesIntoAStridedC(int m, int n, int k)
    {
        var a = DenseReference.Random(m * (k + 3), 11);
        var b = DenseReference.Random(k * n, 12);
        var ldc = n + 5;
        var c = DenseReference.Random(m * ldc, 13);
        var initial = (float[])c.Clone();
        var product = DenseReference.MatMul(false, false, m, n, k, a, k + 3, b, n);
        Gemm.Sgemm(GemmPackedB.Pack(b, n, transB: false, k, n), m, a, k + 3, c, ldc, accumulate: true);
        for (var i = 0; i < m; i++)
            for (var j = 0; j < ldc; j++)
            {
                var expected = j < n ? initial[i * ldc + j] + product[i * n + j] : initial[i * ldc + j];
                Assert.True(Math.Abs(c[i * ldc + j] - expected) <= 1e-4f * Math.Max(1f, Math.Abs(expected)), $"C[{i}, {j}]: expected {expected}, got {c[i * ldc + j]}");
            }
    }

    [Fact]
    public void PackedWeightIsKeptPerTensorAndMatchesTheLinearKernel()
    {
        var weight = DenseReference.RandomTensor(3, 40, 24);
        var packed = GemmPackedB.OfLinearWeight(weight);
        Assert.Same(packed, GemmPackedB.OfLinearWeight(weight));
        Assert.NotSame(packed, GemmPackedB.OfLinearWeight(weight.Clone()));
        Assert.Equal((24, 40), (packed.K, packed.N));

        var x = DenseReference.RandomTensor(4, 30, 24);
        var bias = DenseReference.RandomTensor(5, 40);
        var c = new float[30 * 40];
        for (var r = 0; r < 30; r++) bias.Floats.CopyTo(c.AsSpan(r * 40, 40));
        Gemm.Sgemm(packed, 30, x.Floats, 24, c, 40, accumulate: true);
        DenseReference.AssertClose(TensorOps.Linear(x, weight, bias).Floats, c);

        var matrix = DenseReference.RandomTensor(6, 24, 40);
        var d = new float[30 * 40];
        Gemm.Sgemm(GemmPackedB.OfMatrix(matrix), 30, x.Floats, 24, d, 40);
        DenseReference.AssertClose(TensorOps.MatMul(x, matrix).Floats, d);
    }

    [Fact]
    public void PackedProductChecksItsOperands()
    {
        var packed = GemmPackedB.Pack(new float[12], 4, transB: true, 4, 3);
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(packed, 2, new float[7], 4, new float[6], 3));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(packed, 2, new float[8], 4, new float[5], 3));
        Assert.Throws<ArgumentException>(() => GemmPackedB.Pack(new float[11], 4, transB: true, 4, 3));
        Assert.Throws<ArgumentException>(() => GemmPackedB.OfLinearWeight(Tensor.Zeros(2, 3, 4)));
    }

    [Theory]
    [InlineData(1, 7, 9, 5)]
    [InlineData(2, 128, 128, 64)]
    [InlineData(3, 13, 17, 19)]
    [InlineData(4, 128, 64, 128)]
    [InlineData(5, 33, 20, 40)]
    public void BatchOfProductsMatchesNaiveProducts(int count, int m, int n, int k)
    {
        var a = DenseReference.Random(count * m * k, count + m);
        // B broadcast over the second half of the batch: offsets repeat.
        var b = DenseReference.Random(count * k * n, count + n);
        var aOffsets = Enumerable.Range(0, count).Select(i => i * m * k).ToArray();
        var bOffsets = Enumerable.Range(0, count).Select(i => Math.Min(i, (count + 1) / 2) * k * n).ToArray();
        var c = new float[count * m * n];
        Gemm.SgemmBatch(a, aOffsets, b, bOffsets, c, m, n, k);
        for (var i = 0; i < count; i++)
        {
            var expected = DenseReference.MatMul(false, false, m, n, k, a[aOffsets[i]..], k, b[bOffsets[i]..], n);
            DenseReference.AssertClose(expected, c.AsSpan(i * m * n, m * n));
        }
        Assert.Throws<ArgumentException>(() => Gemm.SgemmBatch(a, aOffsets, b, bOffsets, new float[count * m * n - 1], m, n, k));
    }

    [Fact]
    public void MatMulIntoWritesTheEagerResultAndChecksTheDestination()
    {
        var a = DenseReference.RandomTensor(21, 4, 33, 20);
        var b = DenseReference.RandomTensor(22, 4, 20, 17);
        var destination = Tensor.Zeros(4, 33, 17);
        TensorOps.MatMulInto(a, b, destination);
        for (var h = 0; h < 4; h++)
        {
            var expected = DenseReference.MatMul(false, false, 33, 17, 20, a.Floats.Slice(h * 660, 660).ToArray(), 20, b.Floats.Slice(h * 340, 340).ToArray(), 17);
            DenseReference.AssertClose(expected, destination.Floats.Slice(h * 33 * 17, 33 * 17));
        }
        Assert.Equal(TensorOps.MatMul(a, b).Floats.ToArray(), destination.Floats.ToArray());
        Assert.Throws<TensorOpException>(() => TensorOps.MatMulInto(a, b, Tensor.Zeros(4, 17, 33)));
    }
}
