using System.Numerics;
using System.Numerics.Tensors;

namespace DyCompile.Runtime;

/// <summary>The error function family, which .NET does not provide, evaluated in double;
/// results carry a relative error of about 1e-7, a unit or two in the last place of a float.</summary>
internal static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InverseSqrt2 = 0.70710678118654752;

    /// <summary>erfc(x) = 1 - erf(x), with relative error below 1.2e-7 for every x. This is the
    /// Chebyshev-fitted form erfc(z) ≈ t·exp(-z² + P(t)), t = 1/(1 + z/2), of Press et al.,
    /// Numerical Recipes §6.2; relative (not absolute) accuracy matters because the lower tail of
    /// the normal CDF is tiny.</summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + 0.5 * z);
        var poly = ErfcCoefficients[^1];
        for (var k = ErfcCoefficients.Length - 2; k >= 0; k--) poly = poly * t + ErfcCoefficients[k];
        var r = t * Math.Exp(-z * z + poly);
        return x >= 0 ? r : 2.0 - r;
    }

    /// <summary>P(t) of <see cref="Erfc"/>, constant term first.</summary>
    private static readonly double[] ErfcCoefficients =
        [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];

    /// <summary>erf(x). Near 0, where 1 - erfc would lose the relative accuracy of a small
    /// result, the Maclaurin series is used instead.</summary>
    public static double Erf(double x)
    {
        // erf(±0) = ±0; the series below would sum −0 and +0 terms into +0.
        if (x == 0) return x;
        if (Math.Abs(x) < 0.5)
        {
            // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)); |x| < 0.5 needs 10 terms for double.
            var x2 = x * x;
            var term = x;
            var sum = x;
            for (var n = 1; n <= 12; n++)
            {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return TwoOverSqrtPi * sum;
        }
        return x > 0 ? 1.0 - Erfc(x) : Erfc(-x) - 1.0;
    }

    /// <summary>The standard normal CDF Φ(x) = erfc(-x/√2)/2, accurate in relative terms in the
    /// lower tail as well.</summary>
    public static double NormalCdf(double x)
    {
        var z = x * InverseSqrt2;
        return Math.Abs(z) < 0.5 ? 0.5 + 0.5 * Erf(z) : 0.5 * Erfc(-z);
    }

    /// <summary>Exact GELU: x·Φ(x) = 0.5·x·(1 + erf(x/√2)).</summary>
    public static float Gelu(float x) => (float)(x * NormalCdf(x));

    /// <summary>Below this magnitude tanh is taken from its series.</summary>
    public const float TanhSeriesLimit = 0.4f;

    /// <summary>Maclaurin coefficients of tanh(x)/x as a polynomial in x², highest first:
    /// x − x³/3 + 2x⁵/15 − 17x⁷/315 + ... (from the Bernoulli numbers).</summary>
    private static readonly float[] TanhSeries =
        [-929569f / 638512875f, 21844f / 6081075f, -1382f / 155925f, 62f / 2835f, -17f / 315f, 2f / 15f, -1f / 3f];

    /// <summary>tanh over a span; the destination may be the source.</summary>
    /// <remarks>TensorPrimitives.Tanh is accurate to a few ulp for larger |x| but loses
    /// relative accuracy near 0 (tanh(0) comes out as -6e-8), so below
    /// <see cref="TanhSeriesLimit"/> the series is used: there each term is under 7% of the one
    /// before, and eight terms leave a relative error near 1e-10, far below float rounding.
    /// Both are computed for a whole chunk with vector operations and blended per lane.</remarks>
    public static void Tanh(ReadOnlySpan<float> source, Span<float> destination)
    {
        const int chunk = 512;
        Span<float> bulk = stackalloc float[chunk];
        Span<float> x2 = stackalloc float[chunk];
        Span<float> series = stackalloc float[chunk];
        var limit = new Vector<float>(TanhSeriesLimit);
        for (var start = 0; start < source.Length; start += chunk)
        {
            var n = Math.Min(chunk, source.Length - start);
            var x = source.Slice(start, n);
            var b = bulk[..n];
            var s = series[..n];
            var q = x2[..n];
            TensorPrimitives.Tanh(x, b);
            TensorPrimitives.Multiply(x, x, q);
            s.Fill(TanhSeries[0]);
            for (var k = 1; k < TanhSeries.Length; k++) TensorPrimitives.MultiplyAdd(s, q, TanhSeries[k], s);
            TensorPrimitives.MultiplyAdd(s, q, 1f, s);
            TensorPrimitives.Multiply(s, x, s); // x·(1 + x²·P(x²)), which keeps the sign of a zero

            var target = destination.Slice(start, n);
            var i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var small = Vector.LessThan(Vector.Abs(new Vector<float>(x[i..])), limit);
                    Vector.ConditionalSelect(small, new Vector<float>(s[i..]), new Vector<float>(b[i..])).CopyTo(target[i..]);
                }
            }
            for (; i < n; i++) target[i] = MathF.Abs(x[i]) < TanhSeriesLimit ? s[i] : b[i];
        }
    }
}
