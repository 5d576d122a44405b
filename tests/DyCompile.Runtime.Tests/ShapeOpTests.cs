using static DyCompile.Runtime.Tests.TestTensors;

namespace DyCompile.Runtime.Tests;

public class ShapeOpTests
{
    public static TheoryData<DType> DTypes() => new(AllDTypes);

    // ---- reshape ----

    [Fact]
    public void ReshapeInfersMinusOneAndSharesStorage()
    {
        var x = Arange(2, 3, 4);
        var y = TensorOps.Reshape(x, [4, -1]);
        Assert.Equal(new[] { 4, 6 }, y.ShapeArray());
        Assert.Same(x.Storage, y.Storage);
        Assert.Equal(new[] { 6, 4 }, x.Reshape(-1, 4).ShapeArray());
        Assert.Equal(new[] { 24 }, x.Reshape(-1).ShapeArray());
        Assert.Equal(Array.Empty<int>(), Arange(1, 1).Reshape().ShapeArray());
        Assert.Equal(new[] { 0, 5 }, Tensor.Zeros(DType.Int64, 5, 0).Reshape(0, 5).ShapeArray());
        Assert.Equal(new[] { 3, 0 }, Tensor.Zeros(0, 6).Reshape(3, -1).ShapeArray());
    }

    [Fact]
    public void ReshapeRejectsBadShapes()
    {
        var x = Arange(2, 3);
        var e = Assert.Throws<TensorOpException>(() => x.Reshape(4, 2));
        Assert.Contains("reshape", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 2]", e.Message);
        Assert.Contains("only one", Assert.Throws<TensorOpException>(() => x.Reshape(-1, -1)).Message);
        Assert.Contains("-2", Assert.Throws<TensorOpException>(() => x.Reshape(-2, -3)).Message);
        Assert.Throws<TensorOpException>(() => x.Reshape(4, -1));
        // -1 next to a 0 could be anything.
        Assert.Throws<TensorOpException>(() => Tensor.Zeros(0, 3).Reshape(0, -1));
        // Products past 2^63 must not wrap around into a matching count.
        Assert.Throws<TensorOpException>(() => Tensor.Zeros(0).Reshape(65536, 65536, 65536, 65536, 1));
        Assert.Throws<TensorOpException>(() => Arange(6).Reshape(65536, 65536, 65536, 65536, -1));
        Assert.Equal(new[] { 0, 65536, 65536 }, Tensor.Zeros(0).Reshape(-1, 65536, 65536).ShapeArray());
    }

    // ---- transpose / permute ----

    [Fact]
    public void TransposeOfMatrixByHand()
    {
        var x = Tensor.FromArray(new[] { 1f, 2, 3, 4, 5, 6 }, 2, 3);
        var t = x.Transpose(0, 1);
        Assert.Equal(new[] { 3, 2 }, t.ShapeArray());
        Assert.Equal(new[] { 1f, 4, 2, 5, 3, 6 }, t.Floats.ToArray());
        Assert.Equal(t.Floats.ToArray(), x.Transpose(-1, -2).Floats.ToArray());
        Assert.Equal(x.Floats.ToArray(), x.Transpose(1, 1).Floats.ToArray());
        Assert.NotSame(x.Storage, x.Transpose(1, 1).Storage);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 0, 1 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 0, 2, 1 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 1, 0, 2 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { -1, -2, -3 })]
    [InlineData(new[] { 2, 1, 5, 3 }, new[] { 3, 1, 0, 2 })]
    [InlineData(new[] { 1, 1 }, new[] { 1, 0 })]
    [InlineData(new[] { 70, 45 }, new[] { 1, 0 })]     // more than one tile in each direction
    [InlineData(new[] { 3, 33, 2, 40 }, new[] { 0, 3, 2, 1 })]
    [InlineData(new[] { 5 }, new[] { 0 })]
    [InlineData(new int[0], new int[0])]
    public void PermuteMatchesIndexArithmetic(int[] shape, int[] dims)
    {
        foreach (var dtype in AllDTypes)
        {
            var x = ArangeOf(dtype, shape);
            var y = TensorOps.Permute(x, dims);
            var perm = dims.Select(d => d < 0 ? d + shape.Length : d).ToArray();
            var outShape = perm.Select(p => shape[p]).ToArray();
            Assert.Equal(outShape, y.ShapeArray());
            Assert.Equal(dtype, y.DType);
            for (var i = 0; i < y.Length; i++)
            {
                var o = Unravel(i, outShape);
                var src = new int[shape.Length];
                for (var k = 0; k < perm.Length; k++) src[perm[k]] = o[k];
                Assert.Equal(Raw(x, Ravel(src, shape)), Raw(y, i));
            }
        }
    }

    [Fact]
    public void PermuteRandomShapesMatchIndexArithmetic()
    {
        var random = new Random(1234);
        for (var trial = 0; trial < 200; trial++)
        {
            var rank = random.Next(1, 6);
            var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, 6) == 1 ? 1 : random.Next(1, 9)).ToArray();
            var perm = Enumerable.Range(0, rank).OrderBy(_ => random.Next()).ToArray();
            var x = ArangeOf(DType.Int32, shape);
            var y = x.Permute(perm);
            var outShape = perm.Select(p => shape[p]).ToArray();
            var expected = new int[y.Length];
            for (var i = 0; i < expected.Length; i++)
            {
                var o = Unravel(i, outShape);
                var src = new int[rank];
                for (var k = 0; k < rank; k++) src[perm[k]] = o[k];
                expected[i] = Ravel(src, shape);
            }
            Assert.Equal(expected, y.Ints.ToArray());
        }
    }

    [Fact]
    public void PermuteOfEmptyTensorKeepsShape()
    {
        var y = Tensor.Zeros(DType.Bool, 2, 0, 3).Permute(2, 0, 1);
        Assert.Equal(new[] { 3, 2, 0 }, y.ShapeArray());
        Assert.Equal(0, y.Length);
    }

    [Fact]
    public void PermuteAndTransposeRejectBadDims()
    {
        var x = Arange(2, 3, 4);
        Assert.Contains("repeats", Assert.Throws<TensorOpException>(() => x.Permute(0, 0, 1)).Message);
        Assert.Contains("[0, 1]", Assert.Throws<TensorOpException>(() => x.Permute(0, 1)).Message);
        Assert.Contains("out of range", Assert.Throws<TensorOpException>(() => x.Permute(0, 1, 3)).Message);
        var e = Assert.Throws<TensorOpException>(() => x.Transpose(0, 3));
        Assert.StartsWith("transpose", e.Message);
    }

    // ---- squeeze / unsqueeze ----

    [Fact]
    public void SqueezeRemovesSizeOneDims()
    {
        var x = ArangeOf(DType.Int64, 1, 3, 1, 2);
        Assert.Equal(new[] { 3, 2 }, x.Squeeze().ShapeArray());
        Assert.Equal(new[] { 1, 3, 2 }, x.Squeeze(2).ShapeArray());
        Assert.Equal(new[] { 3, 1, 2 }, x.Squeeze(-4).ShapeArray());
        Assert.Equal(new[] { 3, 2 }, x.Squeeze(0, -2).ShapeArray());
        Assert.Equal(new[] { 1, 3, 1, 2 }, x.Squeeze(1).ShapeArray()); // not size 1: kept, like PyTorch
        Assert.Equal(x.Longs.ToArray(), x.Squeeze().Longs.ToArray());
        Assert.Equal(Array.Empty<int>(), Tensor.Zeros(1, 1).Squeeze().ShapeArray());
        Assert.Equal(new[] { 0 }, Tensor.Zeros(1, 0).Squeeze().ShapeArray());
        Assert.Equal(Array.Empty<int>(), Tensor.Scalar(3f).Squeeze(0).ShapeArray());
    }

    [Fact]
    public void SqueezeRejectsBadDims()
    {
        var x = Arange(1, 3);
        Assert.Contains("out of range", Assert.Throws<TensorOpException>(() => x.Squeeze(2)).Message);
        Assert.Contains("repeats", Assert.Throws<TensorOpException>(() => x.Squeeze(0, -2)).Message);
    }

    [Fact]
    public void UnsqueezeInsertsSizeOneDim()
    {
        var x = ArangeOf(DType.Bool, 2, 3);
        Assert.Equal(new[] { 1, 2, 3 }, x.Unsqueeze(0).ShapeArray());
        Assert.Equal(new[] { 2, 1, 3 }, x.Unsqueeze(1).ShapeArray());
        Assert.Equal(new[] { 2, 3, 1 }, x.Unsqueeze(2).ShapeArray());
        Assert.Equal(new[] { 2, 3, 1 }, x.Unsqueeze(-1).ShapeArray());
        Assert.Equal(new[] { 1, 2, 3 }, x.Unsqueeze(-3).ShapeArray());
        Assert.Equal(x.Bools.ToArray(), x.Unsqueeze(1).Bools.ToArray());
        Assert.Equal(new[] { 1 }, Tensor.Scalar(1L).Unsqueeze(0).ShapeArray());
        Assert.Throws<TensorOpException>(() => x.Unsqueeze(3));
        Assert.Throws<TensorOpException>(() => x.Unsqueeze(-4));
    }

    // ---- expand ----

    [Fact]
    public void ExpandBroadcastsByHand()
    {
        var x = Tensor.FromArray(new[] { 1, 2, 3 }, 3, 1);
        var y = x.Expand(2, 3, 4);
        Assert.Equal(new[] { 2, 3, 4 }, y.ShapeArray());
        var expected = new List<int>();
        for (var a = 0; a < 2; a++)
            for (var r = 0; r < 3; r++)
                for (var c = 0; c < 4; c++) expected.Add(r + 1);
        Assert.Equal(expected, y.Ints.ToArray());
        Assert.Equal(new[] { 1, 2, 3, 1, 2, 3 }, Tensor.FromArray(new[] { 1, 2, 3 }, 1, 3).Expand(2, -1).Ints.ToArray());
        Assert.Equal(new[] { 3, 0 }, x.Expand(-1, 0).ShapeArray());
        Assert.Equal(new[] { true, true }, Tensor.Scalar(true).Expand(2).Bools.ToArray());
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void ExpandMatchesIndexArithmetic(DType dtype)
    {
        int[] shape = [2, 1, 3, 1];
        int[] target = [4, 2, 5, 3, 2];
        var x = ArangeOf(dtype, shape);
        var y = x.Expand(target);
        for (var i = 0; i < y.Length; i++)
        {
            var o = Unravel(i, target);
            var src = new int[shape.Length];
            for (var k = 0; k < shape.Length; k++) src[k] = shape[k] == 1 ? 0 : o[k + 1];
            Assert.Equal(Raw(x, Ravel(src, shape)), Raw(y, i));
        }
    }

    [Fact]
    public void ExpandRejectsGrowingNonUnitDims()
    {
        var x = Arange(2, 3);
        var e = Assert.Throws<TensorOpException>(() => x.Expand(4, 3));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
        Assert.Throws<TensorOpException>(() => x.Expand(3));
        Assert.Throws<TensorOpException>(() => x.Expand(-1, 2, 3));
    }

    // ---- slice / narrow ----

    [Theory]
    [InlineData(0, 10, 1)]
    [InlineData(2, 7, 1)]
    [InlineData(1, 9, 3)]
    [InlineData(-3, 100, 1)]
    [InlineData(-100, 4, 2)]
    [InlineData(7, 2, 1)]
    [InlineData(10, 12, 1)]
    [InlineData(0, -1, 4)]
    [InlineData(int.MinValue, int.MaxValue, 3)]
    public void SliceFollowsPythonClamping(int start, int end, int step)
    {
        var x = ArangeOf(DType.Int32, 10);
        // Python's rule, written out: negative bounds add the length, then clamp to [0, len].
        int Clamp(int b) => (int)Math.Clamp(b < 0 ? (long)b + 10 : b, 0, 10);
        var expected = new List<int>();
        for (var i = Clamp(start); i < Clamp(end); i += step) expected.Add(i);
        Assert.Equal(expected, TensorOps.Slice(x, 0, start, end, step).Ints.ToArray());
    }

    [Fact]
    public void SliceInnerAndOuterDims()
    {
        var x = ArangeOf(DType.Int64, 3, 4, 5);
        var y = TensorOps.Slice(x, -2, 1, 4, 2);
        Assert.Equal(new[] { 3, 2, 5 }, y.ShapeArray());
        for (var i = 0; i < y.Length; i++)
        {
            var o = Unravel(i, [3, 2, 5]);
            Assert.Equal(x.Longs[Ravel([o[0], 1 + 2 * o[1], o[2]], [3, 4, 5])], y.Longs[i]);
        }
        var z = TensorOps.Slice(x, 2, 3, 5, 1);
        Assert.Equal(new[] { 3, 4, 2 }, z.ShapeArray());
        Assert.Equal(x.Longs[Ravel([2, 3, 4], [3, 4, 5])], z.Longs[^1]);
        Assert.Equal(new[] { 3, 0, 5 }, TensorOps.Slice(x, 1, 3, 1, 1).ShapeArray());
    }

    [Fact]
    public void SliceRejectsBadStepAndDim()
    {
        var x = Arange(4);
        Assert.Contains("step", Assert.Throws<TensorOpException>(() => TensorOps.Slice(x, 0, 0, 4, 0)).Message);
        Assert.Throws<TensorOpException>(() => TensorOps.Slice(x, 0, 0, 4, -1));
        Assert.Throws<TensorOpException>(() => TensorOps.Slice(x, 1, 0, 4, 1));
        Assert.Throws<TensorOpException>(() => TensorOps.Slice(Tensor.Scalar(1f), 0, 0, 1, 1));
    }

    [Fact]
    public void NarrowIsAStepOneSliceThatMustFit()
    {
        var x = Tensor.FromArray(new[] { 1f, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(new[] { 2f, 3, 5, 6 }, x.Narrow(1, 1, 2).Floats.ToArray());
        Assert.Equal(new[] { 4f, 5, 6 }, x.Narrow(0, -1, 1).Floats.ToArray());
        Assert.Equal(new[] { 2, 0 }, x.Narrow(-1, 3, 0).ShapeArray());
        var e = Assert.Throws<TensorOpException>(() => x.Narrow(1, 2, 2));
        Assert.Contains("size 3", e.Message);
        Assert.Throws<TensorOpException>(() => x.Narrow(1, -4, 1));
        Assert.Throws<TensorOpException>(() => x.Narrow(1, 0, -1));
    }

    // ---- concat / split ----

    [Theory]
    [MemberData(nameof(DTypes))]
    public void ConcatMatchesIndexArithmetic(DType dtype)
    {
        var a = ArangeOf(dtype, 2, 1, 3);
        var b = ArangeOf(dtype, 2, 4, 3);
        var c = ArangeOf(dtype, 2, 0, 3);
        var y = TensorOps.Concat([a, c, b], -2);
        Assert.Equal(new[] { 2, 5, 3 }, y.ShapeArray());
        for (var i = 0; i < y.Length; i++)
        {
            var o = Unravel(i, [2, 5, 3]);
            var expected = o[1] == 0 ? Raw(a, Ravel([o[0], 0, o[2]], [2, 1, 3])) : Raw(b, Ravel([o[0], o[1] - 1, o[2]], [2, 4, 3]));
            Assert.Equal(expected, Raw(y, i));
        }
    }

    [Fact]
    public void ConcatByHand()
    {
        var a = Tensor.FromArray(new[] { 1f, 2, 3, 4 }, 2, 2);
        var b = Tensor.FromArray(new[] { 5f, 6 }, 2, 1);
        Assert.Equal(new[] { 1f, 2, 5, 3, 4, 6 }, TensorOps.Concat([a, b], 1).Floats.ToArray());
        Assert.Equal(new[] { 1f, 2, 3, 4, 1, 2, 3, 4 }, TensorOps.Concat([a, a], 0).Floats.ToArray());
        Assert.Equal(new[] { 1f, 2, 3, 4 }, TensorOps.Concat([a], 0).Floats.ToArray());
    }

    [Fact]
    public void ConcatRejectsMismatches()
    {
        var a = Arange(2, 2);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Concat([a, Arange(3, 3)], 0));
        Assert.Contains("[2, 2]", e.Message);
        Assert.Contains("[3, 3]", e.Message);
        Assert.Contains("dtypes", Assert.Throws<TensorOpException>(() => TensorOps.Concat([a, Tensor.Zeros(DType.Int32, 2, 2)], 0)).Message);
        Assert.Throws<TensorOpException>(() => TensorOps.Concat([a, Arange(4)], 0));
        Assert.Throws<TensorOpException>(() => TensorOps.Concat([], 0));
        Assert.Throws<TensorOpException>(() => TensorOps.Concat([a], 2));
    }

    [Fact]
    public void SplitThenConcatRoundTrips()
    {
        var x = ArangeOf(DType.Int32, 3, 6, 2);
        var parts = TensorOps.Split(x, [1, 0, 3, 2], 1);
        Assert.Equal(4, parts.Length);
        Assert.Equal(new[] { 3, 1, 2 }, parts[0].ShapeArray());
        Assert.Equal(new[] { 3, 0, 2 }, parts[1].ShapeArray());
        Assert.Equal(new[] { 3, 3, 2 }, parts[2].ShapeArray());
        // parts[2][i, j, k] = x[i, 1 + j, k]
        for (var i = 0; i < parts[2].Length; i++)
        {
            var o = Unravel(i, [3, 3, 2]);
            Assert.Equal(x.Ints[Ravel([o[0], 1 + o[1], o[2]], [3, 6, 2])], parts[2].Ints[i]);
        }
        Assert.Equal(x.Ints.ToArray(), TensorOps.Concat(parts, 1).Ints.ToArray());
    }

    [Fact]
    public void SplitRejectsSizesThatDoNotSum()
    {
        var x = Arange(5);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Split(x, [2, 2], 0));
        Assert.Contains("sum to 4", e.Message);
        Assert.Contains("size 5", e.Message);
        Assert.Throws<TensorOpException>(() => TensorOps.Split(x, [6, -1], 0));
    }
}
