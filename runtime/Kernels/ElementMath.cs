using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>The per-element functions of the catalog's formula language that .NET has no vector
/// form of (erf, erfc, expm1, log1p, pow; tanh where <c>MathF.Tanh</c> has none), each as a scalar
/// and as a Vector256 and Vector512 form that agree lane for lane, for generated loops. The erfc
/// evaluation is the Chebyshev fit erfc(z) ≈ t·exp(P(t) − z²), t = 1/(1 + z/2), of Numerical
/// Recipes §6.2 (the one <see cref="GeluMath"/> uses), done in single precision with the exponent
/// kept exact, so it holds its relative accuracy in the tail.</summary>
public static class ElementMath
{
    /// <summary>(tanh(x)/x − 1)/x² as a polynomial in x² (the coefficients of the eager kernel's
    /// series, constant term T0), used below <see cref="TanhSeriesLimit"/>.</summary>
    private const float T6 = -929569f / 638512875f, T5 = 21844f / 6081075f, T4 = -1382f / 155925f, T3 = 62f / 2835f, T2 = -17f / 315f, T1 = 2f / 15f, T0 = -1f / 3f;

    private const float TanhSeriesLimit = SpecialFunctions.TanhSeriesLimit;

    // Above this, erfc is below the smallest float: the argument is clamped so z² stays finite.
    private const float Saturation = 20f;

    /// <summary>P(t) of the erfc fit, highest power first (for Horner).</summary>
    private static readonly float[] ErfcFit =
        [0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f, -0.18628806f, 0.09678418f, 0.37409196f, 1.00002368f, -1.26551223f];

    /// <summary>Below this |x| erf is its Maclaurin series (1 − erfc would lose the relative accuracy of a small result).</summary>
    private const float ErfSeriesLimit = 0.5f;

    /// <summary>erf(x)/x = 2/√π Σ (−1)ⁿ x²ⁿ / (n! (2n + 1)) as a polynomial in x², highest power first;
    /// at |x| &lt; 0.5 the first omitted term is below 1e-9 of the sum.</summary>
    private static readonly float[] ErfSeries = [.. ErfSeriesCoefficients(8).Reverse()];

    /// <summary>Below this |x| expm1 is its Taylor series; above it exp(x) − 1 loses no more than a unit or two.</summary>
    private const float ExpM1SeriesLimit = 0.5f;

    /// <summary>(expm1(x) − x)/x² = Σ xⁿ / (n + 2)! for n = 0..7, highest power first; at |x| &lt; 0.5
    /// the first omitted term is below 1e-8 of the sum.</summary>
    private static readonly float[] ExpM1Series = [.. Enumerable.Range(0, 8).Select(n => (float)(1 / Factorial(n + 2))).Reverse()];

    private static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

    private static IEnumerable<float> ErfSeriesCoefficients(int terms) =>
        Enumerable.Range(0, terms).Select(n => (float)(1.1283791670955126 * (n % 2 == 0 ? 1 : -1) / (Factorial(n) * (2 * n + 1))));

    /// <summary>erfc(x) = 1 − erf(x); relative error near 1e-7 where it is tiny (x ≫ 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Erfc(float x)
    {
        var r = ErfcOfMagnitude(MathF.Min(MathF.Abs(x), Saturation));
        return x < 0f ? 2f - r : r;
    }

    /// <summary>erf(x): the series near 0, 1 − erfc(|x|) with the sign of x elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Erf(float x)
    {
        var ax = MathF.Abs(x);
        if (!(ax >= ErfSeriesLimit))
        {
            var x2 = x * x;
            var series = ErfSeries[0];
            for (var k = 1; k < ErfSeries.Length; k++) series = MathF.FusedMultiplyAdd(series, x2, ErfSeries[k]);
            return series * x;
        }
        return MathF.CopySign(1f - ErfcOfMagnitude(MathF.Min(ax, Saturation)), x);
    }

    private static float ErfcOfMagnitude(float z)
    {
        var t = 1f / (1f + 0.5f * z);
        var p = ErfcFit[0];
        for (var k = 1; k < ErfcFit.Length; k++) p = MathF.FusedMultiplyAdd(p, t, ErfcFit[k]);
        var hi = z * z;
        var lo = MathF.FusedMultiplyAdd(z, z, -hi);
        var s = p - hi;
        var bb = s - p;
        var e = (p - (s - bb)) - (hi + bb) - lo;
        return t * MathF.Exp(s) * (1f + e);
    }

    /// <summary>exp(x) − 1, accurate near 0: the Taylor series for |x| &lt; 0.5, else exp(x) − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ExpM1(float x)
    {
        if (!(MathF.Abs(x) < ExpM1SeriesLimit)) return MathF.Exp(x) - 1f;
        var p = ExpM1Series[0];
        for (var k = 1; k < ExpM1Series.Length; k++) p = MathF.FusedMultiplyAdd(p, x, ExpM1Series[k]);
        return MathF.FusedMultiplyAdd(p * x, x, x);
    }

    /// <summary>log(1 + x), accurate near 0: with u = 1 + x rounded, log(u)·x/(u − 1) cancels the
    /// rounding of u (Goldberg's correction); u = 1 means x is below rounding and log1p(x) = x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log1P(float x)
    {
        var u = 1f + x;
        if (u == 1f || x == float.PositiveInfinity) return x;
        return MathF.Log(u) * (x / (u - 1f));
    }

    /// <summary>tanh of each lane: 1 − 2 / (exp(2|x|) + 1) with the sign of x (exp overflowing to
    /// infinity gives exactly ±1, and NaN stays NaN), and below |x| = 0.4, where that cancels, the
    /// series x·(1 + x²·P(x²)) the eager kernel uses, which keeps the relative accuracy and the sign of a zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var x2 = x * x;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(T6), x2, Vector256.Create(T5));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(T4));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(T3));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(T2));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(T1));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(T0));
        var near = x * Vector256.FusedMultiplyAdd(p, x2, Vector256<float>.One);
        var far = Vector256.CopySign(Vector256<float>.One - Vector256.Create(2f) / (Vector256.Exp(Vector256.Abs(x) * 2f) + Vector256<float>.One), x);
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(TanhSeriesLimit)), near, far);
    }

    /// <summary>erfc of each lane (see <see cref="Erfc(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Erfc(Vector256<float> x)
    {
        var r = ErfcOfMagnitude(Vector256.Min(Vector256.Abs(x), Vector256.Create(Saturation)));
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256.Create(2f) - r, r);
    }

    /// <summary>erf of each lane (see <see cref="Erf(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Erf(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var x2 = x * x;
        var series = Vector256.Create(ErfSeries[0]);
        for (var k = 1; k < ErfSeries.Length; k++) series = Vector256.FusedMultiplyAdd(series, x2, Vector256.Create(ErfSeries[k]));
        var far = Vector256.CopySign(Vector256<float>.One - ErfcOfMagnitude(Vector256.Min(ax, Vector256.Create(Saturation))), x);
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(ErfSeriesLimit)), series * x, far);
    }

    /// <summary>erfc(z) for z in [0, <see cref="Saturation"/>] (or NaN): t·exp(P(t) − z²) with z² split
    /// exactly into hi + lo and the rounding of P − hi recovered, so the exponent adds no error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ErfcOfMagnitude(Vector256<float> z)
    {
        var t = Vector256<float>.One / (Vector256<float>.One + z * 0.5f);
        var p = Vector256.Create(ErfcFit[0]);
        for (var k = 1; k < ErfcFit.Length; k++) p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(ErfcFit[k]));
        var hi = z * z;
        var lo = Vector256.FusedMultiplyAdd(z, z, -hi);
        var s = p - hi;
        var bb = s - p;
        var e = (p - (s - bb)) - (hi + bb) - lo;
        return t * Vector256.Exp(s) * (Vector256<float>.One + e);
    }

    /// <summary>exp(x) − 1 of each lane (see <see cref="ExpM1(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpM1(Vector256<float> x)
    {
        var p = Vector256.Create(ExpM1Series[0]);
        for (var k = 1; k < ExpM1Series.Length; k++) p = Vector256.FusedMultiplyAdd(p, x, Vector256.Create(ExpM1Series[k]));
        var near = Vector256.FusedMultiplyAdd(p * x, x, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(ExpM1SeriesLimit)), near, Vector256.Exp(x) - Vector256<float>.One);
    }

    /// <summary>log(1 + x) of each lane (see <see cref="Log1P(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log1P(Vector256<float> x)
    {
        var u = Vector256<float>.One + x;
        var corrected = Vector256.Log(u) * (x / (u - Vector256<float>.One));
        var r = Vector256.ConditionalSelect(Vector256.Equals(u, Vector256<float>.One), x, corrected);
        return Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(float.PositiveInfinity)), x, r);
    }

    /// <summary>x^y lane by lane (.NET has no vector pow).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector256<float> Pow(Vector256<float> x, Vector256<float> y)
    {
        Span<float> a = stackalloc float[Vector256<float>.Count];
        Span<float> b = stackalloc float[Vector256<float>.Count];
        x.CopyTo(a);
        y.CopyTo(b);
        for (var i = 0; i < a.Length; i++) a[i] = MathF.Pow(a[i], b[i]);
        return Vector256.Create<float>(a);
    }

    /// <summary>tanh of each lane: 1 − 2 / (exp(2|x|) + 1) with the sign of x (exp overflowing to
    /// infinity gives exactly ±1, and NaN stays NaN), and below |x| = 0.4, where that cancels, the
    /// series x·(1 + x²·P(x²)) the eager kernel uses, which keeps the relative accuracy and the sign of a zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var x2 = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(T6), x2, Vector512.Create(T5));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(T4));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(T3));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(T2));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(T1));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(T0));
        var near = x * Vector512.FusedMultiplyAdd(p, x2, Vector512<float>.One);
        var far = Vector512.CopySign(Vector512<float>.One - Vector512.Create(2f) / (Vector512.Exp(Vector512.Abs(x) * 2f) + Vector512<float>.One), x);
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(TanhSeriesLimit)), near, far);
    }

    /// <summary>erfc of each lane (see <see cref="Erfc(float)"/>), sixteen at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Erfc(Vector512<float> x)
    {
        var r = ErfcOfMagnitude(Vector512.Min(Vector512.Abs(x), Vector512.Create(Saturation)));
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512.Create(2f) - r, r);
    }

    /// <summary>erf of each lane (see <see cref="Erf(float)"/>), sixteen at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Erf(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var x2 = x * x;
        var series = Vector512.Create(ErfSeries[0]);
        for (var k = 1; k < ErfSeries.Length; k++) series = Vector512.FusedMultiplyAdd(series, x2, Vector512.Create(ErfSeries[k]));
        var far = Vector512.CopySign(Vector512<float>.One - ErfcOfMagnitude(Vector512.Min(ax, Vector512.Create(Saturation))), x);
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(ErfSeriesLimit)), series * x, far);
    }

    /// <summary>erfc(z) for z in [0, <see cref="Saturation"/>] (or NaN): t·exp(P(t) − z²) with z² split
    /// exactly into hi + lo and the rounding of P − hi recovered, so the exponent adds no error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ErfcOfMagnitude(Vector512<float> z)
    {
        var t = Vector512<float>.One / (Vector512<float>.One + z * 0.5f);
        var p = Vector512.Create(ErfcFit[0]);
        for (var k = 1; k < ErfcFit.Length; k++) p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(ErfcFit[k]));
        var hi = z * z;
        var lo = Vector512.FusedMultiplyAdd(z, z, -hi);
        var s = p - hi;
        var bb = s - p;
        var e = (p - (s - bb)) - (hi + bb) - lo;
        return t * Vector512.Exp(s) * (Vector512<float>.One + e);
    }

    /// <summary>exp(x) − 1 of each lane (see <see cref="ExpM1(float)"/>), sixteen at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpM1(Vector512<float> x)
    {
        var p = Vector512.Create(ExpM1Series[0]);
        for (var k = 1; k < ExpM1Series.Length; k++) p = Vector512.FusedMultiplyAdd(p, x, Vector512.Create(ExpM1Series[k]));
        var near = Vector512.FusedMultiplyAdd(p * x, x, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(ExpM1SeriesLimit)), near, Vector512.Exp(x) - Vector512<float>.One);
    }

    /// <summary>log(1 + x) of each lane (see <see cref="Log1P(float)"/>), sixteen at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log1P(Vector512<float> x)
    {
        var u = Vector512<float>.One + x;
        var corrected = Vector512.Log(u) * (x / (u - Vector512<float>.One));
        var r = Vector512.ConditionalSelect(Vector512.Equals(u, Vector512<float>.One), x, corrected);
        return Vector512.ConditionalSelect(Vector512.Equals(x, Vector512.Create(float.PositiveInfinity)), x, r);
    }

    /// <summary>x^y lane by lane (.NET has no vector pow).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector512<float> Pow(Vector512<float> x, Vector512<float> y)
    {
        Span<float> a = stackalloc float[Vector512<float>.Count];
        Span<float> b = stackalloc float[Vector512<float>.Count];
        x.CopyTo(a);
        y.CopyTo(b);
        for (var i = 0; i < a.Length; i++) a[i] = MathF.Pow(a[i], b[i]);
        return Vector512.Create<float>(a);
    }

}
