namespace DyCompile.Runtime.Tests;

public class MatMulTests
{
    private static Tensor T(float[] data, params int[] shape) => Tensor.FromArray(data, shape);

    [Fact]
    public void TwoDimensionalProductIsHandComputed()
    {
        var c = TensorOps.MatMul(T([1, 2, 3, 4, 5, 6], 2, 3), T([1, 0, 0, 1, 1, 1], 3, 2));
        Assert.Equal(new[] { 2, 2 }, c.ShapeArray());
        Assert.Equal(new float[] { 4, 5, 10, 11 }, c.ToFloatArray());
    }

    [Fact]
    public void VectorTimesVectorIsARankZeroDot()
    {
        var c = TensorOps.MatMul(T([1, 2, 3], 3), T([4, 5, 6], 3));
        Assert.Equal(0, c.Rank);
        Assert.Equal(32f, c.Item());
    }

    [Fact]
    public void VectorOperandsArePromotedAndTheAddedDimRemoved()
    {
        var m = T([1, 2, 3, 4, 5, 6], 2, 3);
        var mv = TensorOps.MatMul(m, T([1, 1, 1], 3));
        Assert.Equal(new[] { 2 }, mv.ShapeArray());
        Assert.Equal(new float[] { 6, 15 }, mv.ToFloatArray());

        var vm = TensorOps.MatMul(T([1, -1], 2), m);
        Assert.Equal(new[] { 3 }, vm.ShapeArray());
        Assert.Equal(new float[] { -3, -3, -3 }, vm.ToFloatArray());

        // 1-D with a batched matrix: [k] · [b, k, n] → [b, n]; [b, m, k] · [k] → [b, m].
        var batched = DenseReference.RandomTensor(1, 4, 3, 5);
        var v = DenseReference.RandomTensor(2, 3);
        var left = TensorOps.MatMul(v, batched);
        Assert.Equal(new[] { 4, 5 }, left.ShapeArray());
        for (var bi = 0; bi < 4; bi++)
        {
            var expected = DenseReference.MatMul(false, false, 1, 5, 3, v.Floats.ToArray(), 3, batched.Floats.Slice(bi * 15, 15).ToArray(), 5);
            DenseReference.AssertClose(expected, left.Floats.Slice(bi * 5, 5));
        }
        var right = TensorOps.MatMul(DenseReference.RandomTensor(3, 4, 5, 3), v);
        Assert.Equal(new[] { 4, 5 }, right.ShapeArray());
    }

    [Fact]
    public void BatchDimsBroadcast()
    {
        var a = DenseReference.RandomTensor(3, 2, 1, 3, 4);
        var b = DenseReference.RandomTensor(4, 5, 4, 2);
        var c = TensorOps.MatMul(a, b);
        Assert.Equal(new[] { 2, 5, 3, 2 }, c.ShapeArray());
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 5; j++)
            {
                var expected = DenseReference.MatMul(false, false, 3, 2, 4,
                    a.Floats.Slice(i * 12, 12).ToArray(), 4, b.Floats.Slice(j * 8, 8).ToArray(), 2);
                DenseReference.AssertClose(expected, c.Floats.Slice((i * 5 + j) * 6, 6));
            }
    }

    [Fact]
    public void BatchedLeftWithPlainMatrixRightFoldsIntoOneProduct()
    {
        var a = DenseReference.RandomTensor(5, 3, 7, 17);
        var b = DenseReference.RandomTensor(6, 17, 65);
        var c = TensorOps.MatMul(a, b);
        Assert.Equal(new[] { 3, 7, 65 }, c.ShapeArray());
        DenseReference.AssertClose(DenseReference.MatMul(false, false, 21, 65, 17, a.Floats.ToArray(), 17, b.Floats.ToArray(), 65), c.Floats);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 63, 17)]
    [InlineData(65, 129, 63)]
    [InlineData(129, 65, 7)]
    public void OddSizesMatchNaive(int m, int k, int n)
    {
        var a = DenseReference.RandomTensor(m, m, k);
        var b = DenseReference.RandomTensor(n + 100, k, n);
        DenseReference.AssertClose(DenseReference.MatMul(false, false, m, n, k, a.Floats.ToArray(), k, b.Floats.ToArray(), n), TensorOps.MatMul(a, b).Floats);
    }

    [Fact]
    public void EmptyDimensions()
    {
        var zeroDepth = TensorOps.MatMul(Tensor.Zeros(2, 0), Tensor.Zeros(0, 3));
        Assert.Equal(new[] { 2, 3 }, zeroDepth.ShapeArray());
        Assert.All(zeroDepth.ToFloatArray(), v => Assert.Equal(0f, v));

        var noRows = TensorOps.MatMul(Tensor.Zeros(0, 4), Tensor.Full(1f, 4, 3));
        Assert.Equal(new[] { 0, 3 }, noRows.ShapeArray());

        var noBatch = TensorOps.MatMul(Tensor.Zeros(0, 2, 4), Tensor.Full(1f, 1, 4, 3));
        Assert.Equal(new[] { 0, 2, 3 }, noBatch.ShapeArray());
        Assert.Equal(0f, TensorOps.MatMul(Tensor.Zeros(0), Tensor.Zeros(0)).Item());
    }

    [Fact]
    public void ErrorsNameTheOpAndBothShapes()
    {
        var inner = Assert.Throws<TensorOpException>(() => TensorOps.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Equal("matmul", inner.Op);
        Assert.Contains("[2, 3]", inner.Message);
        Assert.Contains("[4, 5]", inner.Message);

        var batch = Assert.Throws<TensorOpException>(() => TensorOps.MatMul(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3, 4, 5)));
        Assert.Contains("[2, 3, 4]", batch.Message);
        Assert.Contains("[3, 4, 5]", batch.Message);

        Assert.Throws<TensorOpException>(() => TensorOps.MatMul(Tensor.Scalar(1f), Tensor.Zeros(3)));
    }

    [Fact]
    public void LinearIsInputTimesWeightTransposedPlusBias()
    {
        var x = T([1, 2, 3, 4, 5, 6], 2, 3);
        var w = T([1, 0, 0, 0, 1, 1], 2, 3);
        var y = TensorOps.Linear(x, w, T([10, 20], 2));
        Assert.Equal(new[] { 2, 2 }, y.ShapeArray());
        Assert.Equal(new float[] { 11, 25, 14, 31 }, y.ToFloatArray());
    }

    [Theory]
    [InlineData(1, 63, 17)]   // one sample: the dot-product path
    [InlineData(3, 7, 129)]
    [InlineData(65, 129, 33)] // the blocked path
    [InlineData(150, 200, 70)] // split across cores
    public void LinearMatchesNaiveOverBatchedInput(int rows, int inFeatures, int outFeatures)
    {
        var x = DenseReference.RandomTensor(rows, 1, rows, inFeatures);
        var w = DenseReference.RandomTensor(7, outFeatures, inFeatures);
        var bias = DenseReference.RandomTensor(8, outFeatures);
        var y = TensorOps.Linear(x, w, bias);
        Assert.Equal(new[] { 1, rows, outFeatures }, y.ShapeArray());
        var expected = DenseReference.MatMul(false, true, rows, outFeatures, inFeatures, x.Floats.ToArray(), inFeatures, w.Floats.ToArray(), inFeatures);
        for (var i = 0; i < expected.Length; i++) expected[i] += bias.Floats[i % outFeatures];
        DenseReference.AssertClose(expected, y.Floats);
    }

    [Fact]
    public void LinearOnVectorAndWithZeroInputFeatures()
    {
        var y = TensorOps.Linear(T([1, 2], 2), T([3, 4], 1, 2), T([0.5f], 1));
        Assert.Equal(new[] { 1 }, y.ShapeArray());
        Assert.Equal(11.5f, y.Item());
        var onlyBias = TensorOps.Linear(Tensor.Zeros(2, 0), Tensor.Zeros(3, 0), T([1, 2, 3], 3));
        Assert.Equal(new float[] { 1, 2, 3, 1, 2, 3 }, onlyBias.ToFloatArray());
    }

    [Fact]
    public void LinearErrorsNameTheOpAndShapes()
    {
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Linear(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5), Tensor.Zeros(4)));
        Assert.Equal("linear", e.Op);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 5]", e.Message);
        var bias = Assert.Throws<TensorOpException>(() => TensorOps.Linear(Tensor.Zeros(2, 5), Tensor.Zeros(4, 5), Tensor.Zeros(3)));
        Assert.Contains("[3]", bias.Message);
    }
}
