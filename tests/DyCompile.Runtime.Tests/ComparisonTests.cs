using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static DyCompile.Runtime.Tests.KernelReference;

namespace DyCompile.Runtime.Tests;

public class ComparisonTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Kernel, Func<double, double, bool> Reference)[] Comparisons =
    [
        ("gt", TensorOps.Gt, (x, y) => x > y),
        ("ge", TensorOps.Ge, (x, y) => x >= y),
        ("lt", TensorOps.Lt, (x, y) => x < y),
        ("le", TensorOps.Le, (x, y) => x <= y),
        ("eq", TensorOps.Eq, (x, y) => x == y),
    ];

    private static bool[] Expected(Tensor a, Tensor b, Func<double, double, bool> reference)
    {
        var aShape = a.ShapeArray();
        var bShape = b.ShapeArray();
        var shape = BroadcastShape(aShape, bShape);
        var result = new bool[Count(shape)];
        for (var i = 0; i < result.Length; i++)
        {
            var index = Unravel(i, shape);
            result[i] = reference(a.GetAsDouble(OperandOffset(index, aShape)), b.GetAsDouble(OperandOffset(index, bShape)));
        }
        return result;
    }

    [Fact]
    public void FloatComparisonsAgainstHandValues()
    {
        var a = Tensor.FromArray([1f, 2f, 3f], 3);
        var b = Tensor.FromArray([2f, 2f, 2f], 3);
        Assert.Equal(new[] { false, false, true }, TensorOps.Gt(a, b).Bools.ToArray());
        Assert.Equal(new[] { false, true, true }, TensorOps.Ge(a, b).Bools.ToArray());
        Assert.Equal(new[] { true, false, false }, TensorOps.Lt(a, b).Bools.ToArray());
        Assert.Equal(new[] { true, true, false }, TensorOps.Le(a, b).Bools.ToArray());
        Assert.Equal(new[] { false, true, false }, TensorOps.Eq(a, b).Bools.ToArray());
        Assert.Equal(DType.Bool, TensorOps.Eq(a, b).DType);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    [InlineData(DType.Bool)]
    public void EveryComparisonBroadcastsForEveryDType(DType dtype)
    {
        var a = Make(dtype, [3, 1, 4], seed: 1);
        var b = Make(dtype, [2, 1], seed: 2);
        foreach (var (name, kernel, reference) in Comparisons)
        {
            var c = kernel(a, b);
            Assert.Equal(new[] { 3, 2, 4 }, c.ShapeArray());
            Assert.Equal(DType.Bool, c.DType);
            Assert.True(Expected(a, b, reference).SequenceEqual(c.Bools.ToArray()), name);
            Assert.True(Expected(b, a, reference).SequenceEqual(kernel(b, a).Bools.ToArray()), name + " swapped");
            Assert.True(Expected(a, a, reference).SequenceEqual(kernel(a, a).Bools.ToArray()), name + " same shape");
        }
    }

    private static Tensor Make(DType dtype, int[] shape, int seed)
    {
        // Few distinct values so that equality occurs often.
        var random = new Random(seed);
        var values = Enumerable.Range(0, Count(shape)).Select(_ => random.Next(-1, 2)).ToArray();
        return dtype switch
        {
            DType.Float32 => Tensor.FromArray(values.Select(v => (float)v).ToArray(), shape),
            DType.Int32 => Tensor.FromArray(values, shape),
            DType.Int64 => Tensor.FromArray(values.Select(v => (long)v).ToArray(), shape),
            _ => Tensor.FromArray(values.Select(v => v > 0).ToArray(), shape),
        };
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    public void LongRowsCompareCorrectlyAgainstRowsAndScalars(DType dtype)
    {
        // Lengths past several vector blocks plus a ragged tail; rows broadcast against a row
        // vector and a scalar from both sides.
        var values = Random(7 * 131, 30).Select(v => MathF.Round(v * 2)).ToArray();
        values[17] = float.NaN;
        values[300] = float.NaN;
        Tensor Make(float[] v, params int[] shape) => dtype switch
        {
            DType.Float32 => Tensor.FromArray(v, shape),
            DType.Int32 => Tensor.FromArray(v.Select(x => float.IsNaN(x) ? 99 : (int)x).ToArray(), shape),
            _ => Tensor.FromArray(v.Select(x => float.IsNaN(x) ? 99L : (long)x).ToArray(), shape),
        };
        var matrix = Make(values, 7, 131);
        var row = Make(values[..131], 131);
        var scalar = Make([1f]);
        var operands = new[] { (matrix, matrix), (matrix, row), (row, matrix), (matrix, scalar), (scalar, matrix), (row, row) };
        foreach (var (name, kernel, reference) in Comparisons)
            foreach (var (a, b) in operands)
                Assert.True(Expected(a, b, reference).SequenceEqual(kernel(a, b).Bools.ToArray()),
                    $"{name} {Shapes.Format(a.Shape)} vs {Shapes.Format(b.Shape)}");
    }

    [Fact]
    public void BoolOrdersFalseBeforeTrue()
    {
        var a = Tensor.FromArray(new[] { false, false, true, true }, 4);
        var b = Tensor.FromArray(new[] { false, true, false, true }, 4);
        Assert.Equal(new[] { false, false, true, false }, TensorOps.Gt(a, b).Bools.ToArray());
        Assert.Equal(new[] { true, false, false, true }, TensorOps.Eq(a, b).Bools.ToArray());
    }

    [Fact]
    public void ComparisonsWithNaNAreFalse()
    {
        var nan = Tensor.Scalar(float.NaN);
        var x = Tensor.FromArray([float.NaN, 1f, float.PositiveInfinity], 3);
        foreach (var (name, kernel, _) in Comparisons)
        {
            Assert.True(kernel(x, nan).Bools.ToArray().All(v => !v), name);
            Assert.True(kernel(nan, x).Bools.ToArray().All(v => !v), name);
        }
        Assert.Equal(new[] { false, false, true }, TensorOps.Eq(x, Tensor.Scalar(float.PositiveInfinity)).Bools.ToArray());
    }

    [Fact]
    public void LongValuesBeyondFloatPrecisionCompareExactly()
    {
        var a = Tensor.FromArray(new[] { (1L << 40) + 1 }, 1);
        var b = Tensor.FromArray(new[] { 1L << 40 }, 1);
        Assert.True(TensorOps.Gt(a, b).Bools[0]);
        Assert.False(TensorOps.Eq(a, b).Bools[0]);
    }

    [Fact]
    public void ComparisonErrorsNameOpDTypesAndShapes()
    {
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Lt(Tensor.Zeros(2), Tensor.Zeros(DType.Int64, 2)));
        Assert.StartsWith("lt:", e.Message);
        Assert.Contains("f32", e.Message);
        Assert.Contains("i64", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.Ge(Tensor.Zeros(2, 3), Tensor.Zeros(2)));
        Assert.StartsWith("ge:", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[2]", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.GtInto(Tensor.Zeros(2), Tensor.Zeros(2), Tensor.Zeros(2)));
        Assert.Contains("bool", e.Message);
    }

    [Fact]
    public void EmptyOperandsGiveEmptyBoolResults()
    {
        var c = TensorOps.Eq(Tensor.Zeros(0, 2), Tensor.Zeros(2));
        Assert.Equal(new[] { 0, 2 }, c.ShapeArray());
        Assert.Equal(DType.Bool, c.DType);
    }

    [Fact]
    public void WherePicksFromABroadcastOfAllThreeOperands()
    {
        // condition [2,1,1], a [1,3,1], b [4]: out[i,j,k] = c[i] ? a[j] : b[k].
        var condition = Tensor.FromArray(new[] { true, false }, 2, 1, 1);
        var a = Tensor.FromArray([1f, 2f, 3f], 1, 3, 1);
        var b = Tensor.FromArray([-1f, -2f, -3f, -4f], 4);
        var w = TensorOps.Where(condition, a, b);
        Assert.Equal(new[] { 2, 3, 4 }, w.ShapeArray());
        var expected = new float[24];
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 4; k++)
                    expected[(i * 3 + j) * 4 + k] = i == 0 ? j + 1 : -(k + 1);
        Assert.Equal(expected, w.Floats.ToArray());
    }

    [Fact]
    public void WhereWithSameShapesAndLongRowsMatchesElementwiseReference()
    {
        var x = Random(300, 5);
        var y = Random(300, 6);
        var condition = TensorOps.Gt(Tensor.FromArray(x, 3, 100), Tensor.FromArray(y, 3, 100));
        var w = TensorOps.Where(condition, Tensor.FromArray(x, 3, 100), Tensor.FromArray(y, 3, 100));
        Assert.Equal(x.Zip(y, Math.Max).ToArray(), w.Floats.ToArray());
        // A row condition over a matrix and a scalar fallback.
        var rowCondition = Tensor.FromArray(Enumerable.Range(0, 100).Select(i => i % 3 == 0).ToArray(), 100);
        var masked = TensorOps.Where(rowCondition, Tensor.FromArray(x, 3, 100), Tensor.Scalar(0f));
        Assert.Equal(x.Select((v, i) => i % 100 % 3 == 0 ? v : 0f).ToArray(), masked.Floats.ToArray());
    }

    [Fact]
    public void WhereWorksForIntegerAndBoolValues()
    {
        var condition = Tensor.FromArray(new[] { true, false, true }, 3);
        Assert.Equal(new[] { 1L, 20L, 3L }, TensorOps.Where(condition, Tensor.FromArray(new[] { 1L, 2L, 3L }, 3), Tensor.Scalar(20L)).Longs.ToArray());
        Assert.Equal(new[] { 7, 0, 7 }, TensorOps.Where(condition, Tensor.Scalar(7), Tensor.Scalar(0)).Ints.ToArray());
        Assert.Equal(new[] { false, true, false }, TensorOps.Where(condition, Tensor.Scalar(false), Tensor.Scalar(true)).Bools.ToArray());
    }

    [Fact]
    public void WhereRejectsNonBoolConditionsMixedValuesAndBadShapes()
    {
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Where(Tensor.Zeros(2), Tensor.Zeros(2), Tensor.Zeros(2)));
        Assert.StartsWith("where:", e.Message);
        Assert.Contains("bool", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.Where(Tensor.Zeros(DType.Bool, 2), Tensor.Zeros(2), Tensor.Zeros(DType.Int32, 2)));
        Assert.Contains("i32", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.Where(Tensor.Zeros(DType.Bool, 3), Tensor.Zeros(2), Tensor.Zeros(2)));
        Assert.Contains("[3]", e.Message);
        Assert.Contains("[2]", e.Message);
    }

    [Fact]
    public void WhereIntoFillsTheDestination()
    {
        var destination = Tensor.Zeros(2, 2);
        TensorOps.WhereInto(Tensor.FromArray(new[] { true, false }, 2), Tensor.Scalar(1f), Tensor.FromArray([5f, 6f, 7f, 8f], 2, 2), destination);
        Assert.Equal(new[] { 1f, 6f, 1f, 8f }, destination.Floats.ToArray());
        Assert.Throws<TensorOpException>(() =>
            TensorOps.WhereInto(Tensor.FromArray(new[] { true, false }, 2), Tensor.Scalar(1f), Tensor.Scalar(2f), Tensor.Zeros(2, 2)));
    }

    /// <summary>Three random shapes that broadcast together: each keeps or collapses every dim
    /// of a common output shape and may drop leading dims.</summary>
    private static Arbitrary<(int[] C, int[] A, int[] B, int Seed)> WhereCases()
    {
        var gen =
            from rank in Gen.Choose(0, 4)
            from dims in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (8, Gen.Choose(1, 4))), rank)
            from keep in Gen.ArrayOf(Gen.Elements(true, false), 3 * rank)
            from drop in Gen.ArrayOf(Gen.Choose(0, rank), 3)
            from seed in Gen.Choose(0, 1000)
            select (Operand(dims, keep, 0, drop[0]), Operand(dims, keep, 1, drop[1]), Operand(dims, keep, 2, drop[2]), seed);
        return Arb.From(gen);

        static int[] Operand(int[] dims, bool[] keep, int which, int drop) =>
            dims.Select((d, i) => keep[which * dims.Length + i] ? d : 1).Skip(drop).ToArray();
    }

    [Property(MaxTest = 150)]
    public Property WhereAndLtEqualNestedLoopReference() =>
        Prop.ForAll(WhereCases(), c =>
        {
            var random = new Random(c.Seed);
            var condition = Enumerable.Range(0, Count(c.C)).Select(_ => random.Next(2) == 1).ToArray();
            var a = Random(Count(c.A), c.Seed + 1);
            var b = Random(Count(c.B), c.Seed + 2);
            var shape = BroadcastShape(c.C, c.A, c.B);
            var expected = new float[Count(shape)];
            for (var i = 0; i < expected.Length; i++)
            {
                var index = Unravel(i, shape);
                expected[i] = condition[OperandOffset(index, c.C)] ? a[OperandOffset(index, c.A)] : b[OperandOffset(index, c.B)];
            }
            var actual = TensorOps.Where(Tensor.FromArray(condition, c.C), Tensor.FromArray(a, c.A), Tensor.FromArray(b, c.B));
            var less = TensorOps.Lt(Tensor.FromArray(a, c.A), Tensor.FromArray(b, c.B));
            var expectedLess = Binary(a, c.A, b, c.B, (x, y) => x < y ? 1f : 0f);
            return actual.ShapeArray().SequenceEqual(shape)
                && actual.Floats.ToArray().SequenceEqual(expected)
                && less.Bools.ToArray().Select(v => v ? 1f : 0f).SequenceEqual(expectedLess);
        });
}
