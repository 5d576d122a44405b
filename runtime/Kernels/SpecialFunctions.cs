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

    /// <summary><see cref="Gelu(float)"/> over a span, as the same erfc form evaluated in
    /// double but pass by pass over chunks with the vectorized span primitives; the
    /// destination may be the source.</summary>
    public static void Gelu(ReadOnlySpan<float> source, Span<float> destination)
    {
        const int chunk = 256;
        Span<double> v = stackalloc double[chunk];
        Span<double> t = stackalloc double[chunk];
        Span<double> p = stackalloc double[chunk];
        Span<double> w = stackalloc double[chunk];
        for (var start = 0; start < source.Length; start += chunk)
        {
            var n = Math.Min(chunk, source.Length - start);
            var vn = v[..n];
            var tn = t[..n];
            var pn = p[..n];
            var wn = w[..n];
            TensorPrimitives.ConvertChecked<float, double>(source.Slice(start, n), vn);
            // w = z = |x|/√2; t = 1/(1 + z/2); p = P(t) - z²; p = erfc(z) = t·exp(p).
            TensorPrimitives.Abs<double>(vn, wn);
            TensorPrimitives.Multiply<double>(wn, InverseSqrt2, wn);
            TensorPrimitives.Multiply<double>(wn, 0.5, tn);
            TensorPrimitives.Add<double>(tn, 1.0, tn);
            TensorPrimitives.Divide<double>(1.0, tn, tn);
            pn.Fill(ErfcCoefficients[^1]);
            for (var k = ErfcCoefficients.Length - 2; k >= 0; k--)
                TensorPrimitives.MultiplyAdd<double>(pn, tn, ErfcCoefficients[k], pn);
            TensorPrimitives.Multiply<double>(wn, wn, wn);
            TensorPrimitives.Subtract<double>(pn, wn, pn);
            TensorPrimitives.Exp<double>(pn, pn);
            TensorPrimitives.Multiply<double>(pn, tn, pn);
            // Φ(x) = erfc(|z|)/2 below 0 and 1 - erfc(|z|)/2 above.
            var target = destination.Slice(start, n);
            for (var i = 0; i < n; i++)
            {
                var x = vn[i];
                var half = 0.5 * pn[i];
                target[i] = (float)(x * (x >= 0 ? 1.0 - half : half));
            }
        }
    }

    /// <summary>Below this magnitude <see cref="TanhNearZero"/> is used.</summary>
    public const float TanhSeriesLimit = 0.4f;

    /// <summary>tanh by its Maclaurin series x − x³/3 + 2x⁵/15 − 17x⁷/315 + ... (coefficients
    /// from the Bernoulli numbers); for |x| &lt; 0.4 each term is under 7% of the one before, so
    /// eight terms leave a relative error near 1e-10.</summary>
    public static float TanhNearZero(float x)
    {
        double v = x;
        var x2 = v * v;
        var p = -929569.0 / 638512875.0;
        p = p * x2 + 21844.0 / 6081075.0;
        p = p * x2 - 1382.0 / 155925.0;
        p = p * x2 + 62.0 / 2835.0;
        p = p * x2 - 17.0 / 315.0;
        p = p * x2 + 2.0 / 15.0;
        p = p * x2 - 1.0 / 3.0;
        return (float)(v + v * x2 * p);
    }
}
