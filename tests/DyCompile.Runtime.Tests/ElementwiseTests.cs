using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static DyCompile.Runtime.Tests.KernelReference;

namespace DyCompile.Runtime.Tests;

public class ElementwiseTests
{
    [Fact]
    public void AddOfSameShapeAddsElementwise()
    {
        var a = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var b = Tensor.FromArray([10f, 20f, 30f, 40f], 2, 2);
        var c = TensorOps.Add(a, b);
        Assert.Equal(new[] { 2, 2 }, c.ShapeArray());
        Assert.Equal(new[] { 11f, 22f, 33f, 44f }, c.Floats.ToArray());
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, a.Floats.ToArray()); // operands untouched
    }

    [Fact]
    public void AddBroadcastsColumnAgainstRow()
    {
        // [2,1] + [3] -> [2,3]: row i is a[i] + b.
        var a = Tensor.FromArray([1f, 2f], 2, 1);
        var b = Tensor.FromArray([10f, 20f, 30f], 3);
        var c = TensorOps.Add(a, b);
        Assert.Equal(new[] { 2, 3 }, c.ShapeArray());
        Assert.Equal(new[] { 11f, 21f, 31f, 12f, 22f, 32f }, c.Floats.ToArray());
    }

    [Fact]
    public void MulBroadcastsRank3AgainstRank2()
    {
        // [4,1,3] x [2,1] -> [4,2,3]: out[i,j,k] = a[i,0,k] * b[j,0].
        var a = Range(12, 1f);
        var b = new[] { 2f, -3f };
        var c = TensorOps.Mul(Tensor.FromArray(a, 4, 1, 3), Tensor.FromArray(b, 2, 1));
        Assert.Equal(new[] { 4, 2, 3 }, c.ShapeArray());
        var expected = new float[24];
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 2; j++)
                for (var k = 0; k < 3; k++)
                    expected[(i * 2 + j) * 3 + k] = a[i * 3 + k] * b[j];
        Assert.Equal(expected, c.Floats.ToArray());
    }

    [Fact]
    public void SubAndDivFollowOperandOrderUnderBroadcast()
    {
        var a = Tensor.FromArray([8f, 6f], 2, 1);
        var b = Tensor.FromArray([1f, 2f, 4f], 1, 3);
        Assert.Equal(new[] { 7f, 6f, 4f, 5f, 4f, 2f }, TensorOps.Sub(a, b).Floats.ToArray());
        Assert.Equal(new[] { -7f, -6f, -4f, -5f, -4f, -2f }, TensorOps.Sub(b, a).Floats.ToArray());
        Assert.Equal(new[] { 8f, 4f, 2f, 6f, 3f, 1.5f }, TensorOps.Div(a, b).Floats.ToArray());
        Assert.Equal(new[] { 0.125f, 0.25f, 0.5f, 1f / 6f, 1f / 3f, 2f / 3f }, TensorOps.Div(b, a).Floats.ToArray());
    }

    [Fact]
    public void DivisionByZeroGivesInfinityAndNaN()
    {
        var c = TensorOps.Div(Tensor.FromArray([1f, -1f, 0f], 3), Tensor.Scalar(0f));
        Assert.Equal(float.PositiveInfinity, c.Floats[0]);
        Assert.Equal(float.NegativeInfinity, c.Floats[1]);
        Assert.True(float.IsNaN(c.Floats[2]));
    }

    [Fact]
    public void ScalarOperandsBroadcastFromEitherSide()
    {
        var x = Tensor.FromArray([1f, 2f, 3f], 3);
        Assert.Equal(new[] { -1f, 0f, 1f }, TensorOps.Sub(x, Tensor.Scalar(2f)).Floats.ToArray());
        Assert.Equal(new[] { 1f, 0f, -1f }, TensorOps.Sub(Tensor.Scalar(2f), x).Floats.ToArray());
        Assert.Equal(new[] { 2f, 1f, 2f / 3f }, TensorOps.Div(Tensor.Scalar(2f), x).Floats.ToArray());
        var s = TensorOps.Mul(Tensor.Scalar(3f), Tensor.Scalar(4f));
        Assert.Equal(0, s.Rank);
        Assert.Equal(12f, s.Item());
    }

    [Fact]
    public void PowMatchesMathPowIncludingBroadcastAndSpecialExponents()
    {
        var x = Range(12, -2.5f, 0.5f);
        var e = new[] { 2f, 0.5f, 3f, -1f, 1f, 0f };
        var c = TensorOps.Pow(Tensor.FromArray(x, 2, 1, 6), Tensor.FromArray(e, 6));
        AllClose(Binary(x, [2, 1, 6], e, [6], MathF.Pow), c, relative: 2e-6);
        foreach (var exponent in e)
        {
            var p = TensorOps.Pow(Tensor.FromArray(x, 12), Tensor.Scalar(exponent));
            AllClose(x.Select(v => MathF.Pow(v, exponent)).ToArray(), p, relative: 2e-6);
        }
        var basePow = TensorOps.Pow(Tensor.Scalar(2f), Tensor.FromArray(e, 6));
        AllClose(e.Select(v => MathF.Pow(2f, v)).ToArray(), basePow, relative: 2e-6);
    }

    [Fact]
    public void MinimumAndMaximumPropagateNaNAndKeepInfinities()
    {
        var a = Tensor.FromArray([1f, float.NaN, 3f, float.NegativeInfinity, 5f], 5);
        var b = Tensor.FromArray([2f, 0f, float.NaN, 0f, float.PositiveInfinity], 5);
        var max = TensorOps.Maximum(a, b).Floats.ToArray();
        var min = TensorOps.Minimum(a, b).Floats.ToArray();
        Assert.Equal(2f, max[0]);
        Assert.True(float.IsNaN(max[1]));
        Assert.True(float.IsNaN(max[2]));
        Assert.Equal(0f, max[3]);
        Assert.Equal(float.PositiveInfinity, max[4]);
        Assert.Equal(1f, min[0]);
        Assert.True(float.IsNaN(min[1]));
        Assert.True(float.IsNaN(min[2]));
        Assert.Equal(float.NegativeInfinity, min[3]);
        Assert.Equal(5f, min[4]);
        // A NaN scalar operand poisons every element, from either side.
        Assert.All(TensorOps.Maximum(Tensor.Scalar(float.NaN), b).Floats.ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.All(TensorOps.Minimum(b, Tensor.Scalar(float.NaN)).Floats.ToArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void IntegerArithmeticKeepsTheIntegerDType()
    {
        var a = Tensor.FromArray(new[] { 1, -2, 3, 4, 5, 6 }, 2, 3);
        var b = Tensor.FromArray(new[] { 10, 20, -30 }, 3);
        var sum = TensorOps.Add(a, b);
        Assert.Equal(DType.Int32, sum.DType);
        Assert.Equal(new[] { 11, 18, -27, 14, 25, -24 }, sum.Ints.ToArray());
        Assert.Equal(new[] { -9, -22, 33, -6, -15, 36 }, TensorOps.Sub(a, b).Ints.ToArray());
        Assert.Equal(new[] { 10, -40, -90, 40, 100, -180 }, TensorOps.Mul(a, b).Ints.ToArray());
        Assert.Equal(new[] { 1, -2, -30, 4, 5, -30 }, TensorOps.Minimum(a, b).Ints.ToArray());
        Assert.Equal(new[] { 10, 20, 3, 10, 20, 6 }, TensorOps.Maximum(a, b).Ints.ToArray());

        var la = Tensor.FromArray(new[] { 3_000_000_000L, -1L }, 2, 1);
        var lb = Tensor.FromArray(new[] { 1L, 2L }, 2);
        var lsum = TensorOps.Add(la, lb);
        Assert.Equal(DType.Int64, lsum.DType);
        Assert.Equal(new[] { 3_000_000_001L, 3_000_000_002L, 0L, 1L }, lsum.Longs.ToArray());
        Assert.Equal(new[] { 3_000_000_000L, 6_000_000_000L, -1L, -2L }, TensorOps.Mul(la, lb).Longs.ToArray());
        Assert.Equal(new[] { 1L, 2L, -1L, -1L }, TensorOps.Minimum(la, lb).Longs.ToArray());
    }

    [Fact]
    public void IntegerAdditionWrapsOnOverflow()
    {
        var c = TensorOps.Add(Tensor.FromArray(new[] { int.MaxValue, 1 }, 2), Tensor.Scalar(1));
        Assert.Equal(new[] { int.MinValue, 2 }, c.Ints.ToArray());
    }

    [Fact]
    public void MixedDTypesAreRejectedNamingOpAndDTypes()
    {
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Add(Tensor.Zeros(2), Tensor.Zeros(DType.Int32, 2)));
        Assert.Equal("add", e.Op);
        Assert.Contains("f32", e.Message);
        Assert.Contains("i32", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.Maximum(Tensor.Zeros(DType.Int64, 2), Tensor.Zeros(DType.Int32, 2)));
        Assert.StartsWith("maximum:", e.Message);
        Assert.Contains("i64", e.Message);
    }

    [Fact]
    public void FloatOnlyOpsRejectIntegerAndBoolOperands()
    {
        var i = Tensor.FromArray(new[] { 1, 2 }, 2);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Div(i, i));
        Assert.StartsWith("div:", e.Message);
        Assert.Contains("i32", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.Pow(Tensor.Zeros(DType.Int64, 2), Tensor.Zeros(DType.Int64, 2)));
        Assert.StartsWith("pow:", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.Add(Tensor.Zeros(DType.Bool, 2), Tensor.Zeros(DType.Bool, 2)));
        Assert.StartsWith("add:", e.Message);
        Assert.Contains("bool", e.Message);
    }

    [Fact]
    public void ShapeMismatchNamesOpAndBothShapes()
    {
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Mul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 3)));
        Assert.Equal("mul", e.Op);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.Sub(Tensor.Zeros(3), Tensor.Zeros(2, 2)));
        Assert.StartsWith("sub:", e.Message);
        Assert.Contains("[3]", e.Message);
        Assert.Contains("[2, 2]", e.Message);
    }

    [Fact]
    public void EmptyDimensionsBroadcastToEmptyResults()
    {
        var c = TensorOps.Add(Tensor.Zeros(0, 3), Tensor.FromArray([1f, 2f, 3f], 3));
        Assert.Equal(new[] { 0, 3 }, c.ShapeArray());
        Assert.Equal(0, c.Length);
        c = TensorOps.Mul(Tensor.Zeros(2, 0), Tensor.Zeros(2, 1));
        Assert.Equal(new[] { 2, 0 }, c.ShapeArray());
        c = TensorOps.Add(Tensor.Zeros(0), Tensor.Scalar(1f));
        Assert.Equal(new[] { 0 }, c.ShapeArray());
        Assert.Throws<TensorOpException>(() => TensorOps.Add(Tensor.Zeros(0), Tensor.Zeros(2)));
    }

    [Fact]
    public void SizeOneDimensionsKeepTheirPlaceInTheResult()
    {
        var c = TensorOps.Add(Tensor.FromArray([1f], 1, 1), Tensor.FromArray([2f], 1));
        Assert.Equal(new[] { 1, 1 }, c.ShapeArray());
        Assert.Equal(3f, c.Floats[0]);
        c = TensorOps.Add(Tensor.FromArray([1f, 2f], 1, 2, 1), Tensor.FromArray([10f, 20f], 2, 1, 1));
        Assert.Equal(new[] { 2, 2, 1 }, c.ShapeArray());
        Assert.Equal(new[] { 11f, 12f, 21f, 22f }, c.Floats.ToArray());
    }

    [Theory]
    [InlineData(new[] { 64, 37 }, new[] { 37 })]          // row vector over rows
    [InlineData(new[] { 64, 37 }, new[] { 64, 1 })]       // column over columns
    [InlineData(new[] { 5, 1, 40 }, new[] { 1, 7, 40 })]  // both broadcast, long rows
    [InlineData(new[] { 3, 1, 4, 1 }, new[] { 1, 5, 1, 6 })] // alternating broadcast dims
    [InlineData(new[] { 1 }, new[] { 2, 3, 4 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 3, 4 })]
    [InlineData(new[] { 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3 }, new[] { 4, 1 })] // beyond the stack scratch rank
    public void BroadcastArithmeticMatchesNaiveReference(int[] aShape, int[] bShape)
    {
        var a = Random(Count(aShape), 1);
        var b = Random(Count(bShape), 2);
        var ta = Tensor.FromArray(a, aShape);
        var tb = Tensor.FromArray(b, bShape);
        Assert.Equal(Binary(a, aShape, b, bShape, (x, y) => x + y), TensorOps.Add(ta, tb).Floats.ToArray());
        Assert.Equal(Binary(a, aShape, b, bShape, (x, y) => x - y), TensorOps.Sub(ta, tb).Floats.ToArray());
        Assert.Equal(Binary(b, bShape, a, aShape, (x, y) => x - y), TensorOps.Sub(tb, ta).Floats.ToArray());
        Assert.Equal(Binary(a, aShape, b, bShape, (x, y) => x * y), TensorOps.Mul(ta, tb).Floats.ToArray());
        AllClose(Binary(a, aShape, b, bShape, (x, y) => x / y), TensorOps.Div(ta, tb), relative: 1e-6);
        AllClose(Binary(b, bShape, a, aShape, (x, y) => x / y), TensorOps.Div(tb, ta), relative: 1e-6);
        Assert.Equal(Binary(a, aShape, b, bShape, MathF.Max), TensorOps.Maximum(ta, tb).Floats.ToArray());
        Assert.Equal(Binary(a, aShape, b, bShape, MathF.Min), TensorOps.Minimum(tb, ta).Floats.ToArray());
    }

    [Fact]
    public void IntoWritesTheDestinationAndMayWorkInPlace()
    {
        var a = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var b = Tensor.FromArray([10f, 20f, 30f], 3);
        var destination = Tensor.Zeros(2, 3);
        TensorOps.AddInto(a, b, destination);
        Assert.Equal(new[] { 11f, 22f, 33f, 14f, 25f, 36f }, destination.Floats.ToArray());
        TensorOps.MulInto(a, b, a);
        Assert.Equal(new[] { 10f, 40f, 90f, 40f, 100f, 180f }, a.Floats.ToArray());
        TensorOps.SubInto(destination, destination, destination);
        Assert.All(destination.Floats.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void IntoRejectsADestinationOfTheWrongShapeOrDType()
    {
        var a = Tensor.Zeros(2, 3);
        var b = Tensor.Zeros(3);
        var e = Assert.Throws<TensorOpException>(() => TensorOps.AddInto(a, b, Tensor.Zeros(3, 2)));
        Assert.StartsWith("add:", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Throws<TensorOpException>(() => TensorOps.AddInto(a, b, Tensor.Zeros(6)));
        Assert.Throws<TensorOpException>(() => TensorOps.AddInto(a, b, Tensor.Zeros(1, 2, 3)));
        e = Assert.Throws<TensorOpException>(() => TensorOps.DivInto(a, b, Tensor.Zeros(DType.Int32, 2, 3)));
        Assert.Contains("i32", e.Message);
        e = Assert.Throws<TensorOpException>(() => TensorOps.AddInto(Tensor.Zeros(2, 3), Tensor.Zeros(4, 3), Tensor.Zeros(2, 3)));
        Assert.Contains("[4, 3]", e.Message);
    }

    [Fact]
    public void OperatorsForwardToTheKernels()
    {
        var x = Tensor.FromArray([1f, 2f, 4f], 3);
        var y = Tensor.FromArray([2f, 2f, 2f], 3);
        Assert.Equal(new[] { 3f, 4f, 6f }, (x + y).Floats.ToArray());
        Assert.Equal(new[] { -1f, 0f, 2f }, (x - y).Floats.ToArray());
        Assert.Equal(new[] { 2f, 4f, 8f }, (x * y).Floats.ToArray());
        Assert.Equal(new[] { 0.5f, 1f, 2f }, (x / y).Floats.ToArray());
        Assert.Equal(new[] { 2f, 3f, 5f }, (x + 1f).Floats.ToArray());
        Assert.Equal(new[] { 2f, 3f, 5f }, (1f + x).Floats.ToArray());
        Assert.Equal(new[] { 0f, 1f, 3f }, (x - 1f).Floats.ToArray());
        Assert.Equal(new[] { 0f, -1f, -3f }, (1f - x).Floats.ToArray());
        Assert.Equal(new[] { 3f, 6f, 12f }, (x * 3f).Floats.ToArray());
        Assert.Equal(new[] { 3f, 6f, 12f }, (3f * x).Floats.ToArray());
        Assert.Equal(new[] { 0.5f, 1f, 2f }, (x / 2f).Floats.ToArray());
        Assert.Equal(new[] { 4f, 2f, 1f }, (4f / x).Floats.ToArray());
        Assert.Equal(new[] { -1f, -2f, -4f }, (-x).Floats.ToArray());
        Assert.Equal(new[] { 1f, 4f, 16f }, x.Pow(2f).Floats.ToArray());
    }

    [Fact]
    public void OperatorsCarryTheirLowersToOp()
    {
        var operators = typeof(Tensor).GetMethods()
            .Where(m => m.Name.StartsWith("op_", StringComparison.Ordinal))
            .ToLookup(m => m.Name, m => ((LowersToAttribute)Attribute.GetCustomAttribute(m, typeof(LowersToAttribute))!).Op);
        Assert.All(operators["op_Addition"], op => Assert.Equal("add", op));
        Assert.All(operators["op_Subtraction"], op => Assert.Equal("sub", op));
        Assert.All(operators["op_Multiply"], op => Assert.Equal("mul", op));
        Assert.All(operators["op_Division"], op => Assert.Equal("div", op));
        Assert.Equal(new[] { "neg" }, operators["op_UnaryNegation"]);
        Assert.Equal(3, operators["op_Addition"].Count());
    }

    /// <summary>Random broadcast-compatible shape pairs: an output shape with dims in 0..4, and
    /// two operands that each keep or collapse every dim to 1 and may drop leading dims.</summary>
    private static Arbitrary<(int[] A, int[] B, int Seed)> BroadcastPairs()
    {
        var gen =
            from rank in Gen.Choose(0, 4)
            from dims in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (8, Gen.Choose(1, 4))), rank)
            from keepA in Gen.ArrayOf(Gen.Elements(true, false), rank)
            from keepB in Gen.ArrayOf(Gen.Elements(true, false), rank)
            from dropA in Gen.Choose(0, rank)
            from dropB in Gen.Choose(0, rank)
            from seed in Gen.Choose(0, 1000)
            select (Operand(dims, keepA, dropA), Operand(dims, keepB, dropB), seed);
        return Arb.From(gen);

        static int[] Operand(int[] dims, bool[] keep, int drop) =>
            dims.Select((d, i) => keep[i] ? d : 1).Skip(drop).ToArray();
    }

    [Property(MaxTest = 200)]
    public Property BroadcastAddAndMulEqualNestedLoopReference() =>
        Prop.ForAll(BroadcastPairs(), c =>
        {
            var a = Random(Count(c.A), c.Seed);
            var b = Random(Count(c.B), c.Seed + 1);
            var ta = Tensor.FromArray(a, c.A);
            var tb = Tensor.FromArray(b, c.B);
            var sum = TensorOps.Add(ta, tb);
            var product = TensorOps.Mul(tb, ta);
            return sum.ShapeArray().SequenceEqual(BroadcastShape(c.A, c.B))
                && sum.Floats.ToArray().SequenceEqual(Binary(a, c.A, b, c.B, (x, y) => x + y))
                && product.Floats.ToArray().SequenceEqual(Binary(b, c.B, a, c.A, (x, y) => x * y));
        });
}
