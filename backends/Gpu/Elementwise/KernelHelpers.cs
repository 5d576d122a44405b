using ILGPU.Algorithms;

namespace DyCompile.Backends.Gpu;

/// <summary>Scalar functions generated kernels call where the formula language's function is more
/// than one ILGPU intrinsic. ILGPU compiles them into each kernel (they are plain static methods
/// of a loaded assembly); they follow the single-precision semantics of <see cref="DyCompile.IR.ScalarFormulaEvaluator"/>.</summary>
public static class KernelHelpers
{
    public static float Abs(float x) => XMath.Abs(x);

    public static int Abs(int x) => x < 0 ? -x : x;

    public static long Abs(long x) => x < 0 ? -x : x;

    /// <summary>MathF.Min: NaN if either is NaN, −0 below +0.</summary>
    public static float Min(float a, float b) =>
        float.IsNaN(a) || float.IsNaN(b) ? float.NaN : a < b ? a : b < a ? b : a == 0f && 1f / a < 0f ? a : b;

    /// <summary>MathF.Max: NaN if either is NaN, +0 above −0.</summary>
    public static float Max(float a, float b) =>
        float.IsNaN(a) || float.IsNaN(b) ? float.NaN : a > b ? a : b > a ? b : a == 0f && 1f / a < 0f ? b : a;

    public static int Min(int a, int b) => a < b ? a : b;

    public static int Max(int a, int b) => a > b ? a : b;

    public static long Min(long a, long b) => a < b ? a : b;

    public static long Max(long a, long b) => a > b ? a : b;

    /// <summary>The standard normal CDF Φ(x) = erfc(−x/√2)/2 (gelu's factor): through erfc, so the
    /// lower tail keeps its relative accuracy.</summary>
    public static float NormalCdf(float x) => 0.5f * Erfc(-x * 0.70710678f);

    /// <summary>erfc by the Chebyshev-fitted form t·exp(−z² + P(t)), t = 1/(1 + z/2) (fractional
    /// error below 1.2e−7 in exact arithmetic), reflected for negative x: accurate in relative
    /// terms in the upper tail, where 1 − erf loses everything.</summary>
    public static float Erfc(float x)
    {
        var z = XMath.Abs(x);
        var t = 1f / (1f + 0.5f * z);
        var p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
            + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
        var r = t * XMath.Exp(-z * z + p);
        return x >= 0f ? r : 2f - r;
    }

    /// <summary>erf: its Maclaurin series near 0 (where 1 − erfc would lose the relative
    /// accuracy of small results), 1 − erfc elsewhere.</summary>
    public static float Erf(float x)
    {
        if (XMath.Abs(x) >= 0.5f) return 1f - Erfc(x);
        var x2 = x * x;
        // 2/√π · x · (1 − x²/3 + x⁴/10 − x⁶/42 + x⁸/216 − x¹⁰/1320)
        return 1.12837917f * x * (1f + x2 * (-1f / 3f + x2 * (0.1f + x2 * (-1f / 42f + x2 * (1f / 216f - x2 / 1320f)))));
    }

    /// <summary>exp(x) − 1 without the cancellation near 0: (u − 1)·x / log u with u = exp x
    /// corrects the rounding of u.</summary>
    public static float ExpM1(float x)
    {
        var u = XMath.Exp(x);
        if (u == 1f) return x;
        var um1 = u - 1f;
        if (um1 == -1f || u == float.PositiveInfinity) return um1;
        return um1 * x / XMath.Log(u);
    }

    /// <summary>log(1 + x) without the cancellation near 0: log u · x / (u − 1) with u = 1 + x.</summary>
    public static float Log1P(float x)
    {
        var u = 1f + x;
        if (u == 1f) return x;
        if (u == float.PositiveInfinity) return u;
        return XMath.Log(u) * x / (u - 1f);
    }
}
