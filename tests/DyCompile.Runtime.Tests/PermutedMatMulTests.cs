namespace DyCompile.Runtime.Tests;

/// <summary><see cref="TensorOps.PermutedMatMulInto"/> against the product spelled out: the
/// operands permuted by index arithmetic, multiplied by naive loops, scaled and permuted again.
/// The shapes are attention's (heads read out of [batch, tokens, heads, dim], kᵀ, the result
/// stored back into [batch, tokens, heads, dim]), on every SIMD path, with batches that run one
/// product per core and batches too small for that, and orders the GEMM cannot read in place.</summary>
public class PermutedMatMulTests
{
    public static TheoryData<SimdPath> Paths() => [SimdPath.Avx512, SimdPath.Avx2, SimdPath.Portable];

    /// <summary>(a shape, a order, b shape, b order, result order, scale).</summary>
    private static readonly (int[] A, int[] AOrder, int[] B, int[] BOrder, int[] ResultOrder, float? Scale)[] Cases =
    [
        // scores = (q · s) · kᵀ, q and k [batch, tokens, heads, dim]
        ([2, 128, 4, 64], [0, 2, 1, 3], [2, 128, 4, 64], [0, 2, 3, 1], [0, 1, 2, 3], 0.125f),
        // the weighted values, stored straight back into [batch, tokens, heads, dim]
        ([2, 4, 128, 128], [0, 1, 2, 3], [2, 128, 4, 64], [0, 2, 1, 3], [0, 2, 1, 3], null),
        // tile edges, one batch dim, an odd head count
        ([13, 3, 9], [1, 0, 2], [17, 3, 9], [1, 2, 0], [1, 0, 2], -2f),
        ([5, 7, 3, 11], [0, 2, 1, 3], [5, 11, 3, 6], [0, 2, 1, 3], [0, 2, 1, 3], null),
        // rank 2: a plain product, B transposed
        ([33, 20], [0, 1], [40, 20], [1, 0], [0, 1], 3f),
        // orders that need copies: A transposed, B with neither matrix dim contiguous, the result's last dim moved
        ([2, 9, 6], [0, 2, 1], [2, 9, 5], [0, 1, 2], [0, 1, 2], null),
        ([4, 6, 3, 2], [0, 1, 2, 3], [2, 5, 6, 4], [3, 2, 0, 1], [0, 1, 2, 3], 0.5f),
        ([3, 4, 5], [0, 1, 2], [3, 5, 6], [0, 1, 2], [0, 2, 1], null),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void ThePermutedProductIsTheProductOfThePermutedOperands(SimdPath path)
    {
        for (var c = 0; c < Cases.Length; c++)
        {
            var (aShape, aOrder, bShape, bOrder, resultOrder, scale) = Cases[c];
            var a = DenseReference.RandomTensor(c, aShape);
            var b = DenseReference.RandomTensor(c + 100, bShape);
            var expected = Reference(a, aOrder, b, bOrder, scale ?? 1f, resultOrder);
            var destination = Tensor.Full(float.NaN, expected.ShapeArray());
            using (KernelIsa.Force(path))
                TensorOps.PermutedMatMulInto(a, aOrder, b, bOrder, scale is { } s ? Tensor.Scalar(s) : null, resultOrder, destination);
            DenseReference.AssertClose(expected.Floats, destination.Floats);
        }
    }

    [Fact]
    public void SaysWhichOrdersRunInPlace()
    {
        Assert.True(TensorOps.PermutedMatMulRunsInPlace(4, [0, 2, 1, 3], [0, 2, 3, 1], [0, 1, 2, 3]));
        Assert.True(TensorOps.PermutedMatMulRunsInPlace(4, [0, 1, 2, 3], [0, 2, 1, 3], [0, 2, 1, 3]));
        Assert.False(TensorOps.PermutedMatMulRunsInPlace(3, [0, 2, 1], [0, 1, 2], [0, 1, 2]));
        Assert.False(TensorOps.PermutedMatMulRunsInPlace(3, [0, 1, 2], [0, 1, 2], [0, 2, 1]));
        Assert.False(TensorOps.PermutedMatMulRunsInPlace(4, [0, 1, 2, 3], [3, 2, 0, 1], [0, 1, 2, 3]));
        Assert.False(TensorOps.PermutedMatMulRunsInPlace(1, [0], [0], [0]));
    }

    [Fact]
    public void RejectsMismatchedOperandsWithTheOpNamed()
    {
        var a = DenseReference.RandomTensor(1, 2, 3, 4);
        var b = DenseReference.RandomTensor(2, 2, 5, 6);
        int[] identity = [0, 1, 2];
        // inner dims 4 and 5
        Assert.Equal("matmul", Assert.Throws<TensorOpException>(() => TensorOps.PermutedMatMulInto(a, identity, b, identity, null, identity, Tensor.Zeros(2, 3, 6))).Op);
        // not a permutation
        Assert.Throws<TensorOpException>(() => TensorOps.PermutedMatMulInto(a, [0, 1, 1], a, [0, 2, 1], null, identity, Tensor.Zeros(2, 3, 3)));
        // batch dims 2 and 3 (no broadcasting)
        Assert.Throws<TensorOpException>(() => TensorOps.PermutedMatMulInto(a, identity, DenseReference.RandomTensor(3, 3, 4, 2), identity, null, identity, Tensor.Zeros(2, 3, 2)));
        // a destination of the wrong shape, a scale of two elements, a destination that is an operand
        Assert.Throws<TensorOpException>(() => TensorOps.PermutedMatMulInto(a, identity, a, [0, 2, 1], null, identity, Tensor.Zeros(2, 3, 4)));
        Assert.Throws<TensorOpException>(() => TensorOps.PermutedMatMulInto(a, identity, a, [0, 2, 1], Tensor.Zeros(2), identity, Tensor.Zeros(2, 3, 3)));
        var square = DenseReference.RandomTensor(4, 2, 3, 3);
        Assert.Throws<TensorOpException>(() => TensorOps.PermutedMatMulInto(square, identity, square, identity, null, identity, square));
    }

    private static Tensor Reference(Tensor a, int[] aOrder, Tensor b, int[] bOrder, float scale, int[] resultOrder)
    {
        var pa = Permute(a, aOrder);
        var pb = Permute(b, bOrder);
        var rank = pa.Rank;
        int m = pa.Shape[^2], k = pa.Shape[^1], n = pb.Shape[^1];
        var batch = pa.Length / (m * k);
        var product = new float[batch * m * n];
        for (var i = 0; i < batch; i++)
        {
            var c = DenseReference.MatMul(false, false, m, n, k, pa.Floats.Slice(i * m * k, m * k).ToArray(), k, pb.Floats.Slice(i * k * n, k * n).ToArray(), n);
            for (var j = 0; j < c.Length; j++) product[i * m * n + j] = scale * c[j];
        }
        int[] shape = [.. pa.Shape[..(rank - 2)], m, n];
        return Permute(Tensor.FromArray(product, shape), resultOrder);
    }

    /// <summary>Result element at index i is source element at i read through the order.</summary>
    private static Tensor Permute(Tensor x, int[] order)
    {
        var source = x.ShapeArray();
        var shape = order.Select(d => source[d]).ToArray();
        var result = new float[x.Length];
        var index = new int[source.Length];
        for (var flat = 0; flat < result.Length; flat++)
        {
            var at = TestTensors.Unravel(flat, shape);
            for (var i = 0; i < order.Length; i++) index[order[i]] = at[i];
            result[flat] = x.Floats[TestTensors.Ravel(index, source)];
        }
        return Tensor.FromArray(result, shape);
    }
}
