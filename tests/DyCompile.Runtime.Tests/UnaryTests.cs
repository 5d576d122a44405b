using static DyCompile.Runtime.Tests.KernelReference;

namespace DyCompile.Runtime.Tests;

public class UnaryTests
{
    private static readonly float[] Specials = [0f, -0f, 1f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, -88f, 88f];

    private static float[] Inputs(int count = 257) => Random(count, 11, 6f).Concat(Specials).ToArray();

    public static TheoryData<string> FloatOps => new() { "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "silu", "neg", "abs", "relu" };

    private static (Func<Tensor, Tensor> Kernel, Action<Tensor, Tensor> Into, Func<double, double> Reference) Op(string name) => name switch
    {
        "exp" => (TensorOps.Exp, TensorOps.ExpInto, Math.Exp),
        "log" => (TensorOps.Log, TensorOps.LogInto, Math.Log),
        "sqrt" => (TensorOps.Sqrt, TensorOps.SqrtInto, Math.Sqrt),
        "rsqrt" => (TensorOps.Rsqrt, TensorOps.RsqrtInto, v => 1 / Math.Sqrt(v)),
        "tanh" => (TensorOps.Tanh, TensorOps.TanhInto, Math.Tanh),
        "sigmoid" => (TensorOps.Sigmoid, TensorOps.SigmoidInto, v => 1 / (1 + Math.Exp(-v))),
        "silu" => (TensorOps.Silu, TensorOps.SiluInto, v => v / (1 + Math.Exp(-v))),
        "neg" => (TensorOps.Neg, TensorOps.NegInto, v => -v),
        "abs" => (TensorOps.Abs, TensorOps.AbsInto, Math.Abs),
        "relu" => (TensorOps.Relu, TensorOps.ReluInto, v => double.IsNaN(v) ? v : Math.Max(v, 0)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(FloatOps))]
    public void FloatUnaryOpsMatchADoubleReference(string name)
    {
        var (kernel, into, reference) = Op(name);
        var x = Inputs();
        var expected = x.Select(v => (float)reference(v)).ToArray();
        var y = kernel(Tensor.FromArray(x, x.Length));
        Assert.Equal(new[] { x.Length }, y.ShapeArray());
        // silu(-88) = -88·sigmoid(-88) underflows differently along different formulas; allow an
        // absolute slack far below anything that matters.
        AllClose(expected, y, relative: 4e-6, absolute: 1e-30);

        var inPlace = Tensor.FromArray((float[])x.Clone(), 1, x.Length);
        into(inPlace, inPlace);
        AllClose(expected, inPlace, relative: 4e-6, absolute: 1e-30);
    }

    [Theory]
    [MemberData(nameof(FloatOps))]
    public void EmptyTensorsGiveEmptyResults(string name)
    {
        var (kernel, into, _) = Op(name);
        var empty = Tensor.Zeros(2, 0);
        Assert.Equal(new[] { 2, 0 }, kernel(empty).ShapeArray());
        into(empty, Tensor.Zeros(2, 0));
    }

    [Fact]
    public void SpecialValuesFollowIeeeAndPyTorch()
    {
        float[] F(Func<Tensor, Tensor> op, params float[] v) => op(Tensor.FromArray(v, v.Length)).Floats.ToArray();
        Assert.Equal(new[] { 0f, float.PositiveInfinity, 1f }, F(TensorOps.Exp, float.NegativeInfinity, float.PositiveInfinity, 0f));
        Assert.Equal(new[] { float.NegativeInfinity, 0f }, F(TensorOps.Log, 0f, 1f));
        Assert.True(float.IsNaN(F(TensorOps.Log, -1f)[0]));
        Assert.True(float.IsNaN(F(TensorOps.Sqrt, -1f)[0]));
        Assert.Equal(new[] { float.PositiveInfinity, 0.5f }, F(TensorOps.Rsqrt, 0f, 4f));
        Assert.Equal(new[] { 1f, -1f }, F(TensorOps.Tanh, float.PositiveInfinity, float.NegativeInfinity));
        Assert.Equal(new[] { 1f, 0f, 0.5f }, F(TensorOps.Sigmoid, float.PositiveInfinity, float.NegativeInfinity, 0f));
        var relu = F(TensorOps.Relu, float.NaN, float.NegativeInfinity, float.PositiveInfinity, -2f, 3f);
        Assert.True(float.IsNaN(relu[0]));
        Assert.Equal(new[] { 0f, float.PositiveInfinity, 0f, 3f }, relu[1..]);
    }

    [Fact]
    public void TanhKeepsRelativeAccuracyNearZero()
    {
        var x = Enumerable.Range(-1000, 2001).Select(i => i * 6e-4f).Concat([1e-20f, -3e-8f, 0f]).ToArray();
        var y = TensorOps.Tanh(Tensor.FromArray(x, x.Length));
        AllClose(x.Select(v => (float)Math.Tanh(v)).ToArray(), y, relative: 2.5e-7, absolute: 0);
        Assert.Equal(0f, y.Floats[^1]);
    }

    [Fact]
    public void GeluMatchesKnownValues()
    {
        var y = TensorOps.Gelu(Tensor.FromArray([1f, -1f, 0f, 2f, -3f], 5)).Floats.ToArray();
        Assert.Equal(0.8413447f, y[0], 6);
        Assert.Equal(-0.1586553f, y[1], 6);
        Assert.Equal(0f, y[2]);
        Assert.Equal(1.9544997f, y[3], 6);
        Assert.Equal(-0.0040496f, y[4], 6);
    }

    /// <summary>A double-precision erfc independent of the runtime's: the all-positive series
    /// erf(z) = 2/√π·e^{-z²}·Σ 2ⁿz^{2n+1}/(1·3···(2n+1)) below 3, the continued fraction above.</summary>
    private static double ReferenceErfc(double z)
    {
        if (z < 0) return 2 - ReferenceErfc(-z);
        if (z < 3) return 1 - ReferenceErf(z);
        var f = z;
        for (var k = 300; k >= 1; k--) f = z + k / 2.0 / f;
        return Math.Exp(-z * z) / (Math.Sqrt(Math.PI) * f);
    }

    /// <summary>erf by the all-positive series, for |z| &lt; 3.</summary>
    private static double ReferenceErf(double z)
    {
        double term = z, sum = z;
        for (var n = 1; n < 200; n++)
        {
            term *= 2 * z * z / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-z * z) * sum;
    }

    [Fact]
    public void ErfAndErfcAreAccurateInRelativeTerms()
    {
        for (var i = -290; i <= 290; i++)
        {
            var z = i / 100.0;
            var erf = ReferenceErf(z);
            Assert.True(Math.Abs(SpecialFunctions.Erf(z) - erf) <= 2e-7 * Math.Abs(erf) + 1e-300, $"erf({z})");
            var erfc = ReferenceErfc(z);
            Assert.True(Math.Abs(SpecialFunctions.Erfc(z) - erfc) <= 2e-7 * erfc, $"erfc({z})");
        }
        foreach (var z in new[] { 1e-8, -3e-5, 4.0, 6.5, 9.0 })
        {
            var erfc = ReferenceErfc(z);
            Assert.True(Math.Abs(SpecialFunctions.Erfc(z) - erfc) <= 2e-7 * erfc, $"erfc({z})");
            if (Math.Abs(z) < 3)
                Assert.True(Math.Abs(SpecialFunctions.Erf(z) - ReferenceErf(z)) <= 1e-12 * Math.Abs(z), $"erf({z})");
        }
        // The scalar GELU, for callers outside the span kernel, agrees with it.
        var x = Range(81, -4f, 0.1f);
        var span = TensorOps.Gelu(Tensor.FromArray(x, x.Length)).Floats.ToArray();
        for (var i = 0; i < x.Length; i++) Close(span[i], SpecialFunctions.Gelu(x[i]), relative: 3e-7, absolute: 1e-30);
    }

    [Fact]
    public void GeluIsAccurateAcrossTheRangeIncludingTheLowerTail()
    {
        var x = Enumerable.Range(-1200, 2401).Select(i => i / 100f).ToArray();
        var expected = x.Select(v => (float)(v * 0.5 * ReferenceErfc(-v / Math.Sqrt(2)))).ToArray();
        AllClose(expected, TensorOps.Gelu(Tensor.FromArray(x, x.Length)), relative: 5e-7, absolute: 1e-38);
        var special = TensorOps.Gelu(Tensor.FromArray([float.PositiveInfinity, float.NaN, -30f], 3)).Floats.ToArray();
        Assert.Equal(float.PositiveInfinity, special[0]);
        Assert.True(float.IsNaN(special[1]));
        Assert.Equal(0f, special[2]);
    }

    [Fact]
    public void ClampBoundsBothSidesAndKeepsNaN()
    {
        var y = TensorOps.Clamp(Tensor.FromArray([-5f, -1f, 0f, 1f, 5f, float.NaN, float.NegativeInfinity], 7), -1f, 2f).Floats.ToArray();
        Assert.Equal(new[] { -1f, -1f, 0f, 1f, 2f }, y[..5]);
        Assert.True(float.IsNaN(y[5]));
        Assert.Equal(-1f, y[6]);
        // min > max: torch.clamp gives max everywhere.
        Assert.All(TensorOps.Clamp(Tensor.FromArray([-5f, 0f, 5f], 3), 3f, 1f).Floats.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(new[] { 0.5f, 0.25f }, Tensor.FromArray([1f, 0.25f], 2).Clamp(0f, 0.5f).Floats.ToArray());
    }

    [Fact]
    public void IntegerNegAbsAndReluKeepTheirDTypeAndWrap()
    {
        var i = Tensor.FromArray(new[] { -3, 0, 4, int.MinValue }, 4);
        Assert.Equal(new[] { 3, 0, -4, int.MinValue }, TensorOps.Neg(i).Ints.ToArray());
        Assert.Equal(new[] { 3, 0, 4, int.MinValue }, TensorOps.Abs(i).Ints.ToArray());
        Assert.Equal(new[] { 0, 0, 4, 0 }, TensorOps.Relu(i).Ints.ToArray());
        var l = Tensor.FromArray(new[] { -3L, 5L }, 2);
        Assert.Equal(new[] { 3L, -5L }, TensorOps.Neg(l).Longs.ToArray());
        Assert.Equal(new[] { 3L, 5L }, TensorOps.Abs(l).Longs.ToArray());
        Assert.Equal(new[] { 0L, 5L }, TensorOps.Relu(l).Longs.ToArray());
    }

    [Fact]
    public void FloatOnlyOpsRejectOtherDTypesNamingTheOp()
    {
        foreach (var (name, op) in new (string, Func<Tensor, Tensor>)[] { ("exp", TensorOps.Exp), ("gelu", TensorOps.Gelu), ("sigmoid", TensorOps.Sigmoid), ("sqrt", TensorOps.Sqrt) })
        {
            var e = Assert.Throws<TensorOpException>(() => op(Tensor.Zeros(DType.Int32, 2)));
            Assert.Equal(name, e.Op);
            Assert.Contains("i32", e.Message);
        }
        Assert.Throws<TensorOpException>(() => TensorOps.Neg(Tensor.Zeros(DType.Bool, 2)));
        Assert.Throws<TensorOpException>(() => TensorOps.Clamp(Tensor.Zeros(DType.Int64, 2), 0, 1));
    }

    [Fact]
    public void UnaryIntoValidatesTheDestination()
    {
        var e = Assert.Throws<TensorOpException>(() => TensorOps.ExpInto(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.StartsWith("exp:", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Throws<TensorOpException>(() => TensorOps.NegInto(Tensor.Zeros(2), Tensor.Zeros(DType.Int32, 2)));
        var destination = Tensor.Zeros(2);
        TensorOps.ClampInto(Tensor.FromArray([-2f, 2f], 2), -1f, 1f, destination);
        Assert.Equal(new[] { -1f, 1f }, destination.Floats.ToArray());
    }

    [Fact]
    public void UnaryOpsKeepShapeIncludingEmptyAndScalar()
    {
        Assert.Equal(new[] { 2, 0, 3 }, TensorOps.Exp(Tensor.Zeros(2, 0, 3)).ShapeArray());
        Assert.Equal(new[] { 2, 0, 3 }, TensorOps.Silu(Tensor.Zeros(2, 0, 3)).ShapeArray());
        var s = TensorOps.Relu(Tensor.Scalar(-1f));
        Assert.Equal(0, s.Rank);
        Assert.Equal(0f, s.Item());
    }

    [Fact]
    public void InstanceSugarForwardsToTheKernels()
    {
        var x = Tensor.FromArray([-1f, 0.5f, 2f], 3);
        Assert.Equal(TensorOps.Relu(x).Floats.ToArray(), x.Relu().Floats.ToArray());
        Assert.Equal(TensorOps.Exp(x).Floats.ToArray(), x.Exp().Floats.ToArray());
        Assert.Equal(TensorOps.Sigmoid(x).Floats.ToArray(), x.Sigmoid().Floats.ToArray());
        Assert.Equal(TensorOps.Tanh(x).Floats.ToArray(), x.Tanh().Floats.ToArray());
        Assert.Equal(TensorOps.Gelu(x).Floats.ToArray(), x.Gelu().Floats.ToArray());
        Assert.Equal(new[] { 1f, 0.5f, 2f }, x.Abs().Floats.ToArray());
        Assert.Equal(new[] { 1f, -0.5f, -2f }, x.Neg().Floats.ToArray());
        Assert.Equal(new[] { -1, 0, 2 }, x.Cast(DType.Int32).Ints.ToArray());
    }

    [Fact]
    public void CastConvertsBetweenEveryPairOfDTypes()
    {
        var f = Tensor.FromArray([-2.7f, -0.5f, 0f, 0.5f, 2.7f, float.NaN], 2, 3);
        Assert.Equal(new[] { -2, 0, 0, 0, 2, 0 }, TensorOps.Cast(f, DType.Int32).Ints.ToArray());
        Assert.Equal(new[] { -2L, 0L, 0L, 0L, 2L, 0L }, TensorOps.Cast(f, DType.Int64).Longs.ToArray());
        Assert.Equal(new[] { true, true, false, true, true, true }, TensorOps.Cast(f, DType.Bool).Bools.ToArray());
        Assert.Equal(new[] { 2, 3 }, TensorOps.Cast(f, DType.Bool).ShapeArray());

        var i = Tensor.FromArray(new[] { -3, 0, 16777217 }, 3);
        Assert.Equal(new[] { -3f, 0f, 16777216f }, TensorOps.Cast(i, DType.Float32).Floats.ToArray());
        Assert.Equal(new[] { -3L, 0L, 16777217L }, TensorOps.Cast(i, DType.Int64).Longs.ToArray());
        Assert.Equal(new[] { true, false, true }, TensorOps.Cast(i, DType.Bool).Bools.ToArray());

        var l = Tensor.FromArray(new[] { -3L, 0L, (1L << 32) + 5 }, 3);
        Assert.Equal(new[] { -3f, 0f, 4294967301f }, TensorOps.Cast(l, DType.Float32).Floats.ToArray());
        Assert.Equal(new[] { -3, 0, 5 }, TensorOps.Cast(l, DType.Int32).Ints.ToArray());
        Assert.Equal(new[] { true, false, true }, TensorOps.Cast(l, DType.Bool).Bools.ToArray());

        var b = Tensor.FromArray(new[] { true, false }, 2);
        Assert.Equal(new[] { 1f, 0f }, TensorOps.Cast(b, DType.Float32).Floats.ToArray());
        Assert.Equal(new[] { 1, 0 }, TensorOps.Cast(b, DType.Int32).Ints.ToArray());
        Assert.Equal(new[] { 1L, 0L }, TensorOps.Cast(b, DType.Int64).Longs.ToArray());
    }

    [Fact]
    public void CastToTheSameDTypeCopies()
    {
        var f = Tensor.FromArray([1f, 2f], 2);
        var copy = TensorOps.Cast(f, DType.Float32);
        copy.Floats[0] = 9f;
        Assert.Equal(1f, f.Floats[0]);
        Assert.Equal(new[] { true }, TensorOps.Cast(Tensor.FromArray(new[] { true }, 1), DType.Bool).Bools.ToArray());
        Assert.Equal(new[] { 4 }, TensorOps.Cast(Tensor.FromArray(new[] { 4 }, 1), DType.Int32).Ints.ToArray());
        Assert.Throws<TensorOpException>(() => TensorOps.CastInto(f, DType.Int32, Tensor.Zeros(2)));
    }
}
