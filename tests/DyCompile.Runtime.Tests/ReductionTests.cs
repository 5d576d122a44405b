using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static DyCompile.Runtime.Tests.KernelReference;

namespace DyCompile.Runtime.Tests;

public class ReductionTests
{
    /// <summary>Naive reduction: every input element is folded, in double, into the output
    /// element whose index is its own index with reduced dims set to 0.</summary>
    private static double[] Reduce(float[] x, int[] shape, int[] axes, Func<double, double, double> combine, double identity)
    {
        var keptShape = shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        var result = Enumerable.Repeat(identity, Count(keptShape)).ToArray();
        for (var flat = 0; flat < x.Length; flat++)
        {
            var index = Unravel(flat, shape);
            var target = OperandOffset(index, keptShape);
            result[target] = combine(result[target], x[flat]);
        }
        return result;
    }

    private static double NaNMax(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    [Fact]
    public void SumMeanMaxMinOfASmallMatrixByHand()
    {
        var x = Tensor.FromArray([1f, 5f, 3f, 4f, 2f, 6f], 2, 3);
        Assert.Equal(new[] { 5f, 7f, 9f }, TensorOps.Sum(x, [0], false).Floats.ToArray());
        Assert.Equal(new[] { 9f, 12f }, TensorOps.Sum(x, [1], false).Floats.ToArray());
        Assert.Equal(21f, TensorOps.Sum(x, [], false).Item());
        Assert.Equal(new[] { 3f, 4f }, TensorOps.Mean(x, [-1], false).Floats.ToArray());
        Assert.Equal(new[] { 4f, 5f, 6f }, TensorOps.Max(x, [0], false).Floats.ToArray());
        Assert.Equal(new[] { 1f, 2f }, TensorOps.Min(x, [1], false).Floats.ToArray());
        Assert.Equal(6f, TensorOps.Max(x, [0, 1], false).Item());
        Assert.Equal(1f, TensorOps.Min(x, [], false).Item());
    }

    [Fact]
    public void KeepdimKeepsReducedDimsAsOnes()
    {
        var x = Tensor.Zeros(2, 3, 4);
        Assert.Equal(new[] { 2, 1, 4 }, TensorOps.Sum(x, [1], true).ShapeArray());
        Assert.Equal(new[] { 2, 4 }, TensorOps.Sum(x, [1], false).ShapeArray());
        Assert.Equal(new[] { 1, 1, 1 }, TensorOps.Mean(x, [], true).ShapeArray());
        Assert.Equal(Array.Empty<int>(), TensorOps.Mean(x, [], false).ShapeArray());
        Assert.Equal(new[] { 1, 3, 1 }, TensorOps.Max(x, [0, -1], true).ShapeArray());
        Assert.Equal(new[] { 3 }, TensorOps.Min(x, [-1, 0], false).ShapeArray());
    }

    public static TheoryData<int[], int[]> ReductionCases => new()
    {
        { new[] { 5, 7 }, new[] { 1 } },
        { new[] { 5, 7 }, new[] { 0 } },
        { new[] { 3, 4, 5 }, new[] { 1 } },
        { new[] { 3, 4, 5 }, new[] { 0, 2 } },
        { new[] { 3, 4, 5 }, new[] { -1, -2 } },
        { new[] { 2, 3, 4, 5 }, new[] { 0, 2 } },
        { new[] { 2, 1, 4, 1 }, new[] { 1, 2 } },
        { new[] { 4, 300 }, new[] { 1 } },
        { new[] { 300, 4 }, new[] { 0 } },
        { new[] { 3, 40 }, new[] { 0 } },
        { new[] { 2, 3, 50 }, new[] { 1 } },
        { new[] { 2, 3, 50 }, new[] { 0, 1 } },
        { new[] { 6 }, new[] { 0 } },
        { new[] { 2, 3, 4 }, Array.Empty<int>() },
    };

    [Theory]
    [MemberData(nameof(ReductionCases))]
    public void ReductionsMatchNaiveReference(int[] shape, int[] dims)
    {
        var x = Random(Count(shape), 3);
        var t = Tensor.FromArray(x, shape);
        var axes = dims.Length == 0 ? Enumerable.Range(0, shape.Length).ToArray() : dims.Select(d => d < 0 ? d + shape.Length : d).ToArray();
        var count = axes.Aggregate(1, (n, a) => n * shape[a]);
        var sum = Reduce(x, shape, axes, (a, b) => a + b, 0);
        AllClose(sum.Select(v => (float)v).ToArray(), TensorOps.Sum(t, dims, false), relative: 1e-5, absolute: 1e-5);
        AllClose(sum.Select(v => (float)(v / count)).ToArray(), TensorOps.Mean(t, dims, true), relative: 1e-5, absolute: 1e-6);
        Assert.Equal(Reduce(x, shape, axes, Math.Max, double.NegativeInfinity).Select(v => (float)v), TensorOps.Max(t, dims, false).Floats.ToArray());
        Assert.Equal(Reduce(x, shape, axes, Math.Min, double.PositiveInfinity).Select(v => (float)v), TensorOps.Min(t, dims, true).Floats.ToArray());
    }

    [Fact]
    public void MaxAndMinPropagateNaNAndHandleInfinities()
    {
        var x = Tensor.FromArray([1f, float.NaN, 3f, float.NegativeInfinity, 2f, float.PositiveInfinity], 2, 3);
        var rowMax = TensorOps.Max(x, [1], false).Floats.ToArray();
        Assert.True(float.IsNaN(rowMax[0]));
        Assert.Equal(float.PositiveInfinity, rowMax[1]);
        var colMin = TensorOps.Min(x, [0], false).Floats.ToArray();
        Assert.Equal(new[] { float.NegativeInfinity }, colMin[..1]);
        Assert.True(float.IsNaN(colMin[1]));
        Assert.Equal(3f, colMin[2]);
        Assert.True(float.IsNaN(TensorOps.Max(x, [], false).Item()));
        Assert.True(float.IsNaN(TensorOps.Sum(x, [], false).Item()));
        Assert.Equal(float.NegativeInfinity, TensorOps.Max(Tensor.Full(float.NegativeInfinity, 3), [], false).Item());
        // A NaN in a long row (the vectorized path) still wins.
        var longRow = Random(100, 4);
        longRow[77] = float.NaN;
        Assert.True(float.IsNaN(TensorOps.Min(Tensor.FromArray(longRow, 100), [0], false).Item()));
    }

    [Fact]
    public void EmptyReductionsFollowPyTorch()
    {
        var x = Tensor.Zeros(0, 3);
        var sum = TensorOps.Sum(x, [0], false);
        Assert.Equal(new[] { 3 }, sum.ShapeArray());
        Assert.Equal(new[] { 0f, 0f, 0f }, sum.Floats.ToArray());
        Assert.All(TensorOps.Mean(x, [0], false).Floats.ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.Equal(0f, TensorOps.Sum(x, [], false).Item());
        // Reducing a non-empty dim of an empty tensor is fine: the result is empty.
        Assert.Equal(new[] { 0 }, TensorOps.Max(x, [1], false).ShapeArray());
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Max(x, [0], false));
        Assert.Equal("max", e.Op);
        Assert.Contains("[0, 3]", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.Min(x, [], true));
        Assert.Equal("min", e.Op);
    }

    [Fact]
    public void DimErrorsNameTheOpAndTheDims()
    {
        var x = Tensor.Zeros(2, 3);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Sum(x, [1, -1], false));
        Assert.Equal("sum", e.Op);
        Assert.Contains("more than once", e.Message);
        Assert.Contains("[1, -1]", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.Mean(x, [2], false));
        Assert.Equal("mean", e.Op);
        Assert.Contains("out of range", e.Message);
        Assert.Throws<TensorOpException>(() => TensorOps.Max(x, [-3], false));
        e = Assert.Throws<TensorOpException>(() => TensorOps.Mean(Tensor.Zeros(DType.Int32, 2), [], false));
        Assert.Contains("i32", e.Message);
    }

    [Fact]
    public void ScalarTensorsReduceToThemselves()
    {
        var s = Tensor.Scalar(4f);
        Assert.Equal(4f, TensorOps.Sum(s, [], false).Item());
        Assert.Equal(4f, TensorOps.Max(s, [0], true).Item());
        Assert.Equal(0, TensorOps.Mean(s, [-1], false).Rank);
    }

    [Fact]
    public void IntegerSumsAreInt64AndExtremaKeepTheDType()
    {
        var i = Tensor.FromArray(new[] { int.MaxValue, int.MaxValue, -5, 7 }, 2, 2);
        var sum = TensorOps.Sum(i, [0], false);
        Assert.Equal(DType.Int64, sum.DType);
        Assert.Equal(new[] { (long)int.MaxValue - 5, (long)int.MaxValue + 7 }, sum.Longs.ToArray());
        var max = TensorOps.Max(i, [1], false);
        Assert.Equal(DType.Int32, max.DType);
        Assert.Equal(new[] { int.MaxValue, 7 }, max.Ints.ToArray());
        Assert.Equal(new[] { int.MaxValue, -5 }, TensorOps.Min(i, [1], false).Ints.ToArray());
        var l = Tensor.FromArray(new[] { 1L << 40, 3L, -2L }, 3);
        Assert.Equal((1L << 40) + 1, TensorOps.Sum(l, [], false).Longs[0]);
        Assert.Equal(-2L, TensorOps.Min(l, [0], false).Longs[0]);
        var b = Tensor.FromArray(new[] { true, false, true, true }, 4);
        var count = TensorOps.Sum(b, [], false);
        Assert.Equal(DType.Int64, count.DType);
        Assert.Equal(3L, count.Longs[0]);
    }

    [Fact]
    public void ArgMaxAndArgMinReturnFirstIndexOnTies()
    {
        var x = Tensor.FromArray([1f, 3f, 3f, 0f, 2f, 2f, 2f, 2f], 2, 4);
        var argmax = TensorOps.ArgMax(x, 1, false);
        Assert.Equal(DType.Int64, argmax.DType);
        Assert.Equal(new[] { 1L, 0L }, argmax.Longs.ToArray());
        Assert.Equal(new[] { 3L, 0L }, TensorOps.ArgMin(x, -1, false).Longs.ToArray());
        var columns = TensorOps.ArgMax(x, 0, true);
        Assert.Equal(new[] { 1, 4 }, columns.ShapeArray());
        Assert.Equal(new[] { 1L, 0L, 0L, 1L }, columns.Longs.ToArray());
        Assert.Equal(new[] { 0L, 1L, 1L, 0L }, TensorOps.ArgMin(x, 0, false).Longs.ToArray());
    }

    [Fact]
    public void ArgMaxTreatsNaNAsTheExtremeAndTakesTheFirst()
    {
        var x = Tensor.FromArray([1f, float.NaN, 5f, float.NaN, float.PositiveInfinity, 2f], 2, 3);
        Assert.Equal(new[] { 1L, 0L }, TensorOps.ArgMax(x, 1, false).Longs.ToArray());
        Assert.Equal(new[] { 1L, 0L }, TensorOps.ArgMin(x, 1, false).Longs.ToArray());
        Assert.Equal(new[] { 1L, 0L, 0L }, TensorOps.ArgMax(x, 0, false).Longs.ToArray());
    }

    [Fact]
    public void SignedZerosTieInArgExtrema()
    {
        var x = Tensor.FromArray([-0f, 0f, -1f, 0f, -0f, -1f], 2, 3);
        Assert.Equal(new[] { 0L, 0L }, TensorOps.ArgMax(x, 1, false).Longs.ToArray());
        var longRow = Enumerable.Repeat(-1f, 40).ToArray();
        longRow[5] = -0f;
        longRow[30] = 0f;
        Assert.Equal(5L, TensorOps.ArgMax(Tensor.FromArray(longRow, 40), 0, false).Longs[0]);
        longRow[5] = 0f;
        longRow[30] = -0f;
        Assert.Equal(0L, TensorOps.ArgMin(Tensor.FromArray(longRow, 40), 0, false).Longs[0]);
    }

    [Theory]
    [InlineData(new[] { 3, 5, 4 }, 1)]
    [InlineData(new[] { 3, 5, 4 }, -1)]
    [InlineData(new[] { 3, 5, 4 }, 0)]
    [InlineData(new[] { 1000 }, 0)]
    public void ArgExtremaMatchNaiveReference(int[] shape, int dim)
    {
        // Rounded values make ties common.
        var x = Random(Count(shape), 8).Select(v => MathF.Round(v)).ToArray();
        var axis = dim < 0 ? dim + shape.Length : dim;
        var outer = shape[..axis].Aggregate(1, (a, b) => a * b);
        var inner = shape[(axis + 1)..].Aggregate(1, (a, b) => a * b);
        var n = shape[axis];
        var expectedMax = new long[outer * inner];
        var expectedMin = new long[outer * inner];
        for (var o = 0; o < outer; o++)
            for (var j = 0; j < inner; j++)
            {
                var values = Enumerable.Range(0, n).Select(k => x[(o * n + k) * inner + j]).ToList();
                expectedMax[o * inner + j] = values.IndexOf(values.Max());
                expectedMin[o * inner + j] = values.IndexOf(values.Min());
            }
        var t = Tensor.FromArray(x, shape);
        Assert.Equal(expectedMax, TensorOps.ArgMax(t, dim, false).Longs.ToArray());
        Assert.Equal(expectedMin, TensorOps.ArgMin(t, dim, true).Longs.ToArray());
        Assert.Equal(shape.Where((_, i) => i != axis), TensorOps.ArgMax(t, dim, false).ShapeArray());
    }

    [Fact]
    public void ArgExtremaOfIntegersAndErrors()
    {
        Assert.Equal(new[] { 2L }, TensorOps.ArgMax(Tensor.FromArray(new[] { 1, 2, 9, 9 }, 4), 0, false).Longs.ToArray());
        Assert.Equal(new[] { 0L }, TensorOps.ArgMin(Tensor.FromArray(new[] { -3L, 2L, -3L }, 3), 0, false).Longs.ToArray());
        Assert.Equal(0, TensorOps.ArgMax(Tensor.Scalar(5f), 0, false).Rank);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.ArgMax(Tensor.Zeros(2, 0), 1, false));
        Assert.Equal("argmax", e.Op);
        Assert.Contains("[2, 0]", e.Message);
        Assert.Equal(new[] { 0 }, TensorOps.ArgMin(Tensor.Zeros(0, 2), 1, false).ShapeArray());
        Assert.Throws<TensorOpException>(() => TensorOps.ArgMin(Tensor.Zeros(2, 2), 2, false));
    }

    [Fact]
    public void IntoVariantsWriteTheDestinationAndValidateIt()
    {
        var x = Tensor.FromArray([1f, 5f, 3f, 4f, 2f, 6f], 2, 3);
        var row = Tensor.Zeros(2, 1);
        TensorOps.SumInto(x, [1], true, row);
        Assert.Equal(new[] { 9f, 12f }, row.Floats.ToArray());
        var column = Tensor.Zeros(3);
        TensorOps.MeanInto(x, [0], false, column);
        Assert.Equal(new[] { 2.5f, 3.5f, 4.5f }, column.Floats.ToArray());
        TensorOps.MaxInto(x, [0], false, column);
        Assert.Equal(new[] { 4f, 5f, 6f }, column.Floats.ToArray());
        TensorOps.MinInto(x, [-2], false, column);
        Assert.Equal(new[] { 1f, 2f, 3f }, column.Floats.ToArray());
        var indices = Tensor.Zeros(DType.Int64, 2);
        TensorOps.ArgMaxInto(x, 1, false, indices);
        Assert.Equal(new[] { 1L, 2L }, indices.Longs.ToArray());
        TensorOps.ArgMinInto(x, 1, false, indices);
        Assert.Equal(new[] { 0L, 1L }, indices.Longs.ToArray());
        var longs = Tensor.Zeros(DType.Int64, 2);
        TensorOps.SumInto(Tensor.FromArray(new[] { 1, 2, 3, 4 }, 2, 2), [1], false, longs);
        Assert.Equal(new[] { 3L, 7L }, longs.Longs.ToArray());

        var e = Assert.Throws<TensorOpException>(() => TensorOps.SumInto(x, [1], true, Tensor.Zeros(2)));
        Assert.Equal("sum", e.Op);
        Assert.Contains("[2, 1]", e.Message);
        Assert.Throws<TensorOpException>(() => TensorOps.SumInto(Tensor.FromArray(new[] { 1, 2 }, 2), [], false, Tensor.Zeros(DType.Int32)));
        Assert.Throws<TensorOpException>(() => TensorOps.MaxInto(x, [0], false, Tensor.Zeros(2)));
        Assert.Throws<TensorOpException>(() => TensorOps.ArgMaxInto(x, 1, false, Tensor.Zeros(2)));
    }

    [Fact]
    public void ReductionSugarForwardsToTheKernels()
    {
        var x = Tensor.FromArray([1f, 5f, 3f, 4f, 2f, 6f], 2, 3);
        Assert.Equal(21f, x.Sum().Item());
        Assert.Equal(new[] { 9f, 12f }, x.Sum(1).Floats.ToArray());
        Assert.Equal(new[] { 2, 1 }, x.Sum([1], true).ShapeArray());
        Assert.Equal(3.5f, x.Mean().Item());
        Assert.Equal(new[] { 5f, 6f }, x.Max(1).Floats.ToArray());
        Assert.Equal(new[] { 1f, 2f, 3f }, x.Min(0).Floats.ToArray());
        Assert.Equal(new[] { 1L, 2L }, x.ArgMax(1).Longs.ToArray());
        Assert.Equal(new[] { 2, 1 }, x.ArgMin(-1, keepdim: true).ShapeArray());
    }

    private static Arbitrary<(int[] Shape, bool[] Reduced, int Seed)> ReductionSets()
    {
        var gen =
            from rank in Gen.Choose(1, 4)
            from shape in Gen.ArrayOf(Gen.Choose(1, 5), rank)
            from reduced in Gen.ArrayOf(Gen.Elements(true, false), rank)
            from seed in Gen.Choose(0, 1000)
            select (shape, reduced, seed);
        return Arb.From(gen);
    }

    [Property(MaxTest = 150)]
    public Property SumAndMaxOverAnyDimSetEqualNaiveReference() =>
        Prop.ForAll(ReductionSets(), c =>
        {
            var x = Random(Count(c.Shape), c.Seed);
            var axes = Enumerable.Range(0, c.Shape.Length).Where(i => c.Reduced[i]).ToArray();
            // Negative spellings of the same dims must mean the same thing.
            var dims = axes.Select(a => a % 2 == 0 ? a : a - c.Shape.Length).ToArray();
            var t = Tensor.FromArray(x, c.Shape);
            var sum = TensorOps.Sum(t, dims, true).Floats.ToArray();
            var expectedSum = Reduce(x, c.Shape, axes.Length == 0 ? Enumerable.Range(0, c.Shape.Length).ToArray() : axes, (a, b) => a + b, 0);
            var max = TensorOps.Max(t, dims, false).Floats.ToArray();
            var expectedMax = Reduce(x, c.Shape, axes.Length == 0 ? Enumerable.Range(0, c.Shape.Length).ToArray() : axes, NaNMax, double.NegativeInfinity);
            return sum.Length == expectedSum.Length
                && sum.Zip(expectedSum).All(p => Math.Abs(p.First - p.Second) <= 1e-5 * (1 + Math.Abs(p.Second)))
                && max.SequenceEqual(expectedMax.Select(v => (float)v));
        });
}
