using static DyCompile.Runtime.Tests.TestTensors;

namespace DyCompile.Runtime.Tests;

public class IndexingTests
{
    public static TheoryData<DType> DTypes() => new(AllDTypes);

    // ---- gather ----

    [Fact]
    public void GatherByHand()
    {
        // torch.gather(torch.tensor([[1, 2], [3, 4]]), 1, torch.tensor([[0, 0], [1, 0]])) == [[1, 1], [4, 3]]
        var x = Tensor.FromArray(new[] { 1f, 2, 3, 4 }, 2, 2);
        var index = Tensor.FromArray(new long[] { 0, 0, 1, 0 }, 2, 2);
        Assert.Equal(new[] { 1f, 1, 4, 3 }, TensorOps.Gather(x, index, 1).Floats.ToArray());
        // dim 0: out[i][j] = x[index[i][j]][j]
        Assert.Equal(new[] { 1f, 2, 3, 2 }, TensorOps.Gather(x, index, 0).Floats.ToArray());
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void GatherMatchesIndexArithmetic(DType dtype)
    {
        int[] shape = [3, 4, 5];
        int[] indexShape = [2, 6, 3]; // smaller than x except along dim 1
        var x = ArangeOf(dtype, shape);
        var random = new Random(7);
        var picks = Enumerable.Range(0, Shapes.ElementCount(indexShape)).Select(_ => random.Next(4)).ToArray();
        var y = TensorOps.Gather(x, Tensor.FromArray(picks, indexShape), -2);
        Assert.Equal(indexShape, y.ShapeArray());
        Assert.Equal(dtype, y.DType);
        for (var i = 0; i < y.Length; i++)
        {
            var o = Unravel(i, indexShape);
            Assert.Equal(Raw(x, Ravel([o[0], picks[i], o[2]], shape)), Raw(y, i));
        }
    }

    [Fact]
    public void GatherRejectsBadIndices()
    {
        var x = Arange(2, 3);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Gather(x, Tensor.FromArray(new[] { 0, 3 }, 1, 2), 1));
        Assert.Contains("index 3", e.Message);
        Assert.Contains("size 3", e.Message);
        Assert.Contains("index -1", Assert.Throws<TensorOpException>(() => TensorOps.Gather(x, Tensor.FromArray(new[] { -1 }, 1, 1), 1)).Message);
        Assert.Contains("rank", Assert.Throws<TensorOpException>(() => TensorOps.Gather(x, Tensor.FromArray(new[] { 0 }, 1), 1)).Message);
        Assert.Contains("larger", Assert.Throws<TensorOpException>(() => TensorOps.Gather(x, Tensor.Zeros(DType.Int64, 3, 1), 1)).Message);
        Assert.Contains("i32 or i64", Assert.Throws<TensorOpException>(() => TensorOps.Gather(x, Tensor.Zeros(1, 1), 1)).Message);
    }

    [Fact]
    public void GatherWithEmptyIndexIsEmpty()
    {
        var y = TensorOps.Gather(Arange(2, 3), Tensor.Zeros(DType.Int32, 2, 0), 1);
        Assert.Equal(new[] { 2, 0 }, y.ShapeArray());
    }

    // ---- index_select ----

    [Theory]
    [MemberData(nameof(DTypes))]
    public void IndexSelectMatchesIndexArithmetic(DType dtype)
    {
        int[] shape = [3, 4, 2];
        var x = ArangeOf(dtype, shape);
        int[] picks = [3, 0, 0, 2, 1];
        var y = TensorOps.IndexSelect(x, Tensor.FromArray(picks.Select(p => (long)p).ToArray(), 5), 1);
        Assert.Equal(new[] { 3, 5, 2 }, y.ShapeArray());
        for (var i = 0; i < y.Length; i++)
        {
            var o = Unravel(i, [3, 5, 2]);
            Assert.Equal(Raw(x, Ravel([o[0], picks[o[1]], o[2]], shape)), Raw(y, i));
        }
    }

    [Fact]
    public void IndexSelectByHandAndEdgeCases()
    {
        var x = Tensor.FromArray(new[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        Assert.Equal(new[] { 5, 6, 1, 2 }, TensorOps.IndexSelect(x, Tensor.FromArray(new[] { 2, 0 }, 2), 0).Ints.ToArray());
        Assert.Equal(new[] { 2, 4, 6 }, TensorOps.IndexSelect(x, Tensor.FromArray(new[] { 1 }, 1), -1).Ints.ToArray());
        Assert.Equal(new[] { 0, 2 }, TensorOps.IndexSelect(x, Tensor.Zeros(DType.Int32, 0), 0).ShapeArray());
        Assert.Equal(new[] { 1, 0 }, TensorOps.IndexSelect(Tensor.Zeros(3, 0), Tensor.FromArray(new[] { 2 }, 1), 0).ShapeArray());
    }

    [Fact]
    public void IndexSelectRejectsBadIndices()
    {
        var x = Arange(3, 2);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.IndexSelect(x, Tensor.FromArray(new[] { 0, 5 }, 2), 0));
        Assert.Contains("index 5", e.Message);
        Assert.Contains("size 3", e.Message);
        Assert.Contains("1-D", Assert.Throws<TensorOpException>(() => TensorOps.IndexSelect(x, Tensor.Zeros(DType.Int32, 1, 1), 0)).Message);
        Assert.Throws<TensorOpException>(() => TensorOps.IndexSelect(x, Tensor.FromArray(new[] { true }, 1), 0));
    }

    // ---- embedding ----

    [Theory]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    public void EmbeddingLooksUpRows(DType indexType)
    {
        var weight = Arange(4, 3); // row r = [3r, 3r+1, 3r+2]
        int[] ids = [2, 0, 3, 3, 1, 0];
        var indices = indexType == DType.Int32 ? Tensor.FromArray(ids, 2, 3) : Tensor.FromArray(ids.Select(i => (long)i).ToArray(), 2, 3);
        var y = TensorOps.Embedding(indices, weight);
        Assert.Equal(new[] { 2, 3, 3 }, y.ShapeArray());
        for (var i = 0; i < y.Length; i++)
        {
            var o = Unravel(i, [2, 3, 3]);
            Assert.Equal(3f * ids[o[0] * 3 + o[1]] + o[2], y.Floats[i]);
        }
    }

    [Fact]
    public void EmbeddingOfScalarAndEmptyIndices()
    {
        var weight = Arange(4, 2);
        Assert.Equal(new[] { 6f, 7 }, TensorOps.Embedding(Tensor.Scalar(3L), weight).Floats.ToArray());
        Assert.Equal(new[] { 0, 2 }, TensorOps.Embedding(Tensor.Zeros(DType.Int64, 0), weight).ShapeArray());
    }

    [Fact]
    public void EmbeddingRejectsBadIndicesAndWeights()
    {
        var weight = Arange(4, 2);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Embedding(Tensor.FromArray(new[] { 1, 4 }, 2), weight));
        Assert.Contains("index 4", e.Message);
        Assert.Contains("size 4", e.Message);
        Assert.Throws<TensorOpException>(() => TensorOps.Embedding(Tensor.FromArray(new[] { -1 }, 1), weight));
        Assert.Contains("2-D", Assert.Throws<TensorOpException>(() => TensorOps.Embedding(Tensor.FromArray(new[] { 0 }, 1), Arange(4))).Message);
        Assert.Throws<TensorOpException>(() => TensorOps.Embedding(Tensor.FromArray(new[] { 0f }, 1), weight));
    }

    // ---- topk ----

    [Fact]
    public void TopKOfAScalarReturnsItselfAndRejectsOtherK()
    {
        var (values, indices) = TensorOps.TopK(Tensor.Scalar(3f), 1, -1, true);
        Assert.Equal(0, values.Rank);
        Assert.Equal(3f, values.Item());
        Assert.Equal(0L, indices.Longs[0]);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.TopK(Tensor.Scalar(3f), 0, 0, true));
        Assert.Contains("0-d", e.Message);
    }

    [Fact]
    public void TopKByHandWithTies()
    {
        var x = Tensor.FromArray(new[] { 3f, 1, 3, 5, 1 }, 5);
        var (v, i) = TensorOps.TopK(x, 3, 0, largest: true);
        Assert.Equal(new[] { 5f, 3, 3 }, v.Floats.ToArray());
        Assert.Equal(new long[] { 3, 0, 2 }, i.Longs.ToArray());
        Assert.Equal(DType.Int64, i.DType);
        (v, i) = TensorOps.TopK(x, 3, -1, largest: false);
        Assert.Equal(new[] { 1f, 1, 3 }, v.Floats.ToArray());
        Assert.Equal(new long[] { 1, 4, 0 }, i.Longs.ToArray());
    }

    [Fact]
    public void TopKAlongInnerAndOuterDims()
    {
        // x[r, c] = (7 * (r * 3 + c)) % 12 : distinct values per column and row
        var values = Enumerable.Range(0, 12).Select(n => (long)(7 * n % 12)).ToArray();
        var x = Tensor.FromArray(values, 4, 3);
        var (v, i) = TensorOps.TopK(x, 2, 0, largest: true);
        Assert.Equal(new[] { 2, 3 }, v.ShapeArray());
        for (var c = 0; c < 3; c++)
        {
            var column = Enumerable.Range(0, 4).Select(r => (value: values[r * 3 + c], r)).OrderByDescending(p => p.value).ThenBy(p => p.r).ToArray();
            for (var j = 0; j < 2; j++)
            {
                Assert.Equal(column[j].value, v.Longs[j * 3 + c]);
                Assert.Equal(column[j].r, i.Longs[j * 3 + c]);
            }
        }
    }

    [Fact]
    public void TopKRandomRowsMatchSortReference()
    {
        var random = new Random(99);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = random.Next(1, 30);
            var k = random.Next(0, n + 1);
            var largest = random.Next(2) == 0;
            var data = Enumerable.Range(0, n).Select(_ => random.Next(-5, 6)).ToArray(); // many ties
            var (v, i) = TensorOps.TopK(Tensor.FromArray(data, 1, n), k, 1, largest);
            var order = Enumerable.Range(0, n).OrderBy(j => largest ? -data[j] : data[j]).ThenBy(j => j).Take(k).ToArray();
            Assert.Equal(order.Select(j => data[j]).ToArray(), v.Ints.ToArray());
            Assert.Equal(order.Select(j => (long)j).ToArray(), i.Longs.ToArray());
        }
    }

    [Fact]
    public void TopKPutsNaNFirstWhenLargest()
    {
        var x = Tensor.FromArray(new[] { 1f, float.NaN, 2f }, 3);
        var (v, i) = TensorOps.TopK(x, 2, 0, true);
        Assert.True(float.IsNaN(v.Floats[0]));
        Assert.Equal(new long[] { 1, 2 }, i.Longs.ToArray());
        (_, i) = TensorOps.TopK(x, 3, 0, false);
        Assert.Equal(new long[] { 0, 2, 1 }, i.Longs.ToArray());
    }

    [Fact]
    public void TopKEdgeCasesAndErrors()
    {
        var x = Arange(2, 3);
        var (v, i) = TensorOps.TopK(x, 0, 1, true);
        Assert.Equal(new[] { 2, 0 }, v.ShapeArray());
        Assert.Equal(new[] { 2, 0 }, i.ShapeArray());
        (v, i) = TensorOps.TopK(Tensor.Scalar(4), 1, 0, true);
        Assert.Equal(Array.Empty<int>(), v.ShapeArray());
        Assert.Equal(4, v.Ints[0]);
        Assert.Equal(0L, i.Longs[0]);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.TopK(x, 4, 1, true));
        Assert.Contains("k = 4", e.Message);
        Assert.Contains("size 3", e.Message);
        Assert.Throws<TensorOpException>(() => TensorOps.TopK(x, -1, 1, true));
        Assert.Throws<TensorOpException>(() => TensorOps.TopK(Tensor.Zeros(DType.Bool, 3), 1, 0, true));
    }
}
