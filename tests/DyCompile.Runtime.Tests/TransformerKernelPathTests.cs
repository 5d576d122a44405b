using System.Runtime.Intrinsics;

namespace DyCompile.Runtime.Tests;

/// <summary>The transformer's elementwise kernels on each instruction-set path: the float
/// exponential of softmax and GELU against double exp, GELU forced onto the AVX2 and portable paths
/// against the scalar formula (the same values, lane for lane), softmax rows on each path against
/// the double formula, and a linear layer
/// with GELU applied by the GEMM (<see cref="GemmEpilogue.Gelu"/>) against the product followed by
/// the eager GELU kernel.</summary>
public class TransformerKernelPathTests
{
    public static TheoryData<SimdPath> Paths() => [SimdPath.Avx512, SimdPath.Avx2, SimdPath.Portable];

    private static float[] ExpArguments()
    {
        var random = new Random(21);
        var values = new List<float> { 0f, -0f, -1e-30f, -1e-8f, -0.3465736f, -0.6931472f, -1f, -10f, -87.33654f, -87.3f, -87.4f, -88f, -103f, -1e4f, float.NegativeInfinity, float.NaN };
        for (var i = 0; i < 3000; i++) values.Add(-(float)(random.NextDouble() * 90));
        for (var i = 0; i < 500; i++) values.Add(-(float)(random.NextDouble() * 2));
        return [.. values];
    }

    [Fact]
    public void ExpOfNonPositiveIsWithinTwoUlpOfTheDoubleExpAndVectorLanesMatchTheScalar()
    {
        var x = ExpArguments();
        var scalar = x.Select(ExpMath.ExpNonPositive).ToArray();
        for (var i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(x[i]))
            {
                Assert.True(float.IsNaN(scalar[i]));
                continue;
            }
            var expected = Math.Exp(x[i]);
            if (x[i] < -87.33654f) Assert.Equal(0f, scalar[i]);
            else Assert.True(Math.Abs(scalar[i] - expected) <= 2.5e-7 * expected, $"exp({x[i]}) = {scalar[i]}, expected {expected}");
        }
        for (var i = 0; i + 16 <= x.Length; i += 16)
        {
            var wide = ExpMath.ExpNonPositive(Vector512.Create(x.AsSpan(i, 16)));
            var narrow = ExpMath.ExpNonPositive(Vector256.Create(x.AsSpan(i, 8)));
            for (var j = 0; j < 16; j++) Assert.Equal(BitConverter.SingleToInt32Bits(scalar[i + j]), BitConverter.SingleToInt32Bits(wide.GetElement(j)));
            for (var j = 0; j < 8; j++) Assert.Equal(BitConverter.SingleToInt32Bits(scalar[i + j]), BitConverter.SingleToInt32Bits(narrow.GetElement(j)));
        }
    }

    private static float[] GeluArguments(int length, int seed)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (var i = 0; i < length; i++)
            x[i] = (i % 37) switch
            {
                0 => -3f - (float)random.NextDouble() * 10f,
                1 => i % 3 == 0 ? float.NaN : float.PositiveInfinity,
                2 => float.NegativeInfinity,
                _ => (float)(random.NextDouble() * 12 - 6),
            };
        return x;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void GeluOnEveryPathIsTheScalarFormulaLaneForLane(SimdPath path)
    {
        foreach (var length in new[] { 1, 7, 8, 15, 16, 17, 33, 1000, 4099 })
        {
            var x = GeluArguments(length, length);
            var scalar = new float[length];
            GeluMath.Gelu(x, scalar, allowVector: false);
            var destination = Tensor.Zeros(length);
            using (KernelIsa.Force(path)) TensorOps.GeluInto(Tensor.FromArray(x, length), destination);
            var viaTensor = destination.Floats.ToArray();
            for (var i = 0; i < length; i++)
            {
                if (float.IsNaN(scalar[i])) Assert.True(float.IsNaN(viaTensor[i]), $"gelu({x[i]}) = {viaTensor[i]}, expected NaN");
                else Assert.Equal(BitConverter.SingleToInt32Bits(scalar[i]), BitConverter.SingleToInt32Bits(viaTensor[i]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SoftmaxRowsOnEveryPathMatchTheDoubleFormula(SimdPath path)
    {
        foreach (var (rows, length) in new[] { (3, 1), (2, 7), (5, 16), (4, 23), (64, 128), (512, 128), (3, 1001), (300, 17) })
        {
            var values = DenseReference.Random(rows * length, rows * 31 + length).Select(v => v * 12f).ToArray();
            // A masked position and a row whose entries are all far below its max.
            if (length > 1) values[0] = float.NegativeInfinity;
            if (length > 2) values[length + 1] = 200f;
            var x = Tensor.FromArray(values, rows, length);
            var result = Tensor.Zeros(rows, length);
            using (KernelIsa.Force(path)) TensorOps.SoftmaxInto(x, -1, result);
            for (var r = 0; r < rows; r++)
            {
                var row = values.AsSpan(r * length, length).ToArray();
                var max = row.Max();
                var sum = row.Sum(v => Math.Exp(v - max));
                for (var j = 0; j < length; j++)
                {
                    var expected = Math.Exp(row[j] - max) / sum;
                    Assert.True(Math.Abs(result.Floats[r * length + j] - expected) <= 1e-6 * expected + 1e-38,
                        $"row {r} of {rows}×{length}, element {j}: {result.Floats[r * length + j]}, expected {expected}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ASoftmaxRowWithANaNIsNaNOnEveryPath(SimdPath path)
    {
        foreach (var (rows, length) in new[] { (40, 7), (40, 16), (200, 128), (3, 37) })
            foreach (var at in new[] { 0, length / 2, length - 1 })
            {
                var values = DenseReference.Random(rows * length, length + at);
                values[length + at] = float.NaN;
                var result = Tensor.Zeros(rows, length);
                using (KernelIsa.Force(path)) TensorOps.SoftmaxInto(Tensor.FromArray(values, rows, length), -1, result);
                for (var j = 0; j < length; j++) Assert.True(float.IsNaN(result.Floats[length + j]), $"{rows}×{length}, NaN at {at}: element {j} is {result.Floats[length + j]}");
                Assert.False(float.IsNaN(result.Floats[0]));
            }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void AttentionBatchesMatchTheNaiveProductOnEveryPath(SimdPath path)
    {
        // Attention's heads (scores and the weighted values), a depth over two slices, tile edges.
        foreach (var (count, m, n, k) in new[] { (4, 128, 128, 64), (4, 128, 64, 128), (8, 13, 33, 300), (6, 5, 17, 7), (2, 12, 16, 1), (16, 30, 7, 9) })
        {
            var a = DenseReference.Random(count * m * k, count + m);
            var b = DenseReference.Random(count * k * n, n + k);
            var aOffsets = Enumerable.Range(0, count).Select(i => i * m * k).ToArray();
            // The second half of the batch shares its B operands with the first (a broadcast batch dim).
            var bOffsets = Enumerable.Range(0, count).Select(i => i % Math.Max(1, count / 2) * k * n).ToArray();
            var c = new float[count * m * n];
            using (KernelIsa.Force(path)) Gemm.SgemmBatch(a, aOffsets, b, bOffsets, c, m, n, k);
            for (var i = 0; i < count; i++)
            {
                var expected = DenseReference.MatMul(false, false, m, n, k, a[aOffsets[i]..], k, b[bOffsets[i]..], n);
                DenseReference.AssertClose(expected, c.AsSpan(i * m * n, m * n).ToArray());
            }
        }
    }

    [Theory]
    [InlineData(128, 64, 256, true)]
    [InlineData(13, 10, 30, true)]
    [InlineData(17, 9, 9, true)]
    [InlineData(16, 8, 40, false)]
    [InlineData(1, 1, 1, true)]
    public void AStridedTransposeMovesEveryValue(int rows, int cols, int rowStride, bool vector)
    {
        const int sourceOffset = 5, destinationOffset = 3;
        var source = DenseReference.Random(sourceOffset + (rows - 1) * rowStride + cols, rows + cols);
        var destination = new float[destinationOffset + rows * cols + 2];
        MatrixTranspose.Strided(source, sourceOffset, rowStride, destination, destinationOffset, rows, cols, vector);
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++)
                Assert.Equal(source[sourceOffset + i * rowStride + j], destination[destinationOffset + j * rows + i]);
        Assert.Equal(0f, destination[destinationOffset + rows * cols]);
        Assert.Throws<ArgumentException>(() => MatrixTranspose.Strided(source, sourceOffset, cols - 1, destination, destinationOffset, rows, Math.Max(1, cols)));
    }

    public static TheoryData<SimdPath, int, int, int> LinearShapes()
    {
        var data = new TheoryData<SimdPath, int, int, int>();
        foreach (var path in new[] { SimdPath.Avx512, SimdPath.Avx2, SimdPath.Portable })
            foreach (var (m, n, k) in new[] { (128, 1024, 256), (13, 33, 257), (97, 65, 300), (1, 17, 5), (25, 40, 0), (200, 15, 31) })
                data.Add(path, m, n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(LinearShapes))]
    public void GemmWithTheGeluEpilogueIsTheProductFollowedByTheEagerGelu(SimdPath path, int m, int n, int k)
    {
        var x = DenseReference.Random(m * k, m + 3 * k);
        var w = DenseReference.Random(n * k, n + 5 * k).Select(v => v * 3f).ToArray();
        var bias = DenseReference.Random(n, n);
        var packed = GemmPackedB.Pack(w, k, transB: true, k, n);
        float[] Biased()
        {
            var c = new float[m * n];
            for (var i = 0; i < m; i++) bias.CopyTo(c.AsSpan(i * n, n));
            return c;
        }
        var expected = Biased();
        var fused = Biased();
        var fusedOneCore = Biased();
        using (KernelIsa.Force(path))
        {
            Gemm.Sgemm(packed, m, x, k, expected, n, accumulate: true);
            TensorOps.GeluInto(Tensor.FromArray(expected, m * n), Tensor.FromArray(expected, m * n));
            Gemm.Sgemm(packed, m, x, k, fused, n, accumulate: true, GemmEpilogue.Gelu);
            Gemm.Sgemm(packed, m, x, k, fusedOneCore, n, accumulate: true, maxThreads: 1, forcePortable: path == SimdPath.Portable, GemmEpilogue.Gelu);
        }
        Assert.Equal(expected, fused);
        // One core and all cores split C differently; the product's rounding may differ, GELU's must not add to it.
        var gelu = Tensor.Zeros(m * n);
        var product = Biased();
        using (KernelIsa.Force(path)) Gemm.Sgemm(packed, m, x, k, product, n, accumulate: true, maxThreads: 1, forcePortable: path == SimdPath.Portable);
        TensorOps.GeluInto(Tensor.FromArray(product, m * n), gelu);
        Assert.Equal(gelu.Floats.ToArray(), fusedOneCore);
    }
}
