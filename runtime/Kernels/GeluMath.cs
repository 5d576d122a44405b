using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>Exact GELU, x·Φ(x), in single precision, as one scalar and one 8-lane formula that
/// agree lane for lane, for the eager kernel and for fused loops of generated code. Φ comes from
/// the Chebyshev-fitted erfc(z) ≈ t·exp(P(t) − z²), t = 1/(1 + z/2) (Numerical Recipes §6.2, the
/// form <see cref="SpecialFunctions.Erfc"/> evaluates in double), which holds its relative
/// accuracy in the lower tail; below <see cref="TailStart"/> the double evaluation itself is
/// used. The result stays within a few 1e-7 (relative) of the double evaluation.</summary>
public static class GeluMath
{
    private const float InverseSqrt2 = 0.70710678118654752f;

    // P(t), highest power first (for Horner), of the erfc fit.
    private const float P9 = 0.17087277f, P8 = -0.82215223f, P7 = 1.48851587f, P6 = -1.13520398f, P5 = 0.27886807f;
    private const float P4 = -0.18628806f, P3 = 0.09678418f, P2 = 0.37409196f, P1 = 1.00002368f, P0 = -1.26551223f;

    /// <summary>Below this x, GELU is taken from the double evaluation: deep in the lower tail the
    /// float form would lose relative accuracy (x² itself is rounded at 1e-6 of a large exponent).</summary>
    public const float TailStart = -3f;

    // Above this |x|, erfc(|x|/√2) is below the smallest float: Φ is exactly 1 (x > 0).
    private const float Saturation = 20f;

    /// <summary>GELU of one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Gelu(float x)
    {
        if (x < TailStart) return SpecialFunctions.Gelu(x);
        var ax = MathF.Min(MathF.Abs(x), Saturation);
        var t = 1f / (1f + 0.5f * InverseSqrt2 * ax);
        var p = P9;
        p = MathF.FusedMultiplyAdd(p, t, P8);
        p = MathF.FusedMultiplyAdd(p, t, P7);
        p = MathF.FusedMultiplyAdd(p, t, P6);
        p = MathF.FusedMultiplyAdd(p, t, P5);
        p = MathF.FusedMultiplyAdd(p, t, P4);
        p = MathF.FusedMultiplyAdd(p, t, P3);
        p = MathF.FusedMultiplyAdd(p, t, P2);
        p = MathF.FusedMultiplyAdd(p, t, P1);
        p = MathF.FusedMultiplyAdd(p, t, P0);
        // exp(P − x²/2) with x² = hi + lo exactly and the rounding of P − hi/2 recovered (two-sum),
        // so the exponent carries no rounding error of its own: exp(s)·(1 + e), e tiny.
        var hi = ax * ax;
        var lo = MathF.FusedMultiplyAdd(ax, ax, -hi);
        var a = -0.5f * hi;
        var s = p + a;
        var bb = s - p;
        var e = (p - (s - bb)) + (a - bb) - 0.5f * lo;
        // Half of erfc(|x|/√2): Φ(x) for x < 0, 1 − Φ(x) for x ≥ 0.
        var half = 0.5f * t * MathF.Exp(s) * (1f + e);
        return x * (x >= 0f ? 1f - half : half);
    }

    /// <summary>GELU of eight values; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Gelu(Vector256<float> x)
    {
        var body = Body(x);
        return Vector256.LessThanAny(x, Vector256.Create(TailStart)) ? TailLanes(x, body) : body;
    }

    /// <summary>The single-precision formula, for lanes at or above <see cref="TailStart"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Body(Vector256<float> x)
    {
        var ax = Vector256.Min(Vector256.Abs(x), Vector256.Create(Saturation));
        var t = Vector256<float>.One / (Vector256<float>.One + ax * (0.5f * InverseSqrt2));
        var p = Vector256.Create(P9);
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P8));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P7));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P6));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P0));
        var hi = ax * ax;
        var lo = Vector256.FusedMultiplyAdd(ax, ax, -hi);
        var a = hi * -0.5f;
        var s = p + a;
        var bb = s - p;
        var e = (p - (s - bb)) + (a - bb) - lo * 0.5f;
        var half = t * 0.5f * Vector256.Exp(s) * (Vector256<float>.One + e);
        var phi = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.One - half, half);
        return x * phi;
    }

    /// <summary>The lanes of <paramref name="x"/> below <see cref="TailStart"/> from the double
    /// evaluation of <see cref="SpecialFunctions.Gelu"/> (there x·Φ(x) = x/2 · erfc(|x|/√2) =
    /// x/2 · t·exp(P(t) − x²/2), t = 1/(1 + |x|/(2√2))), four lanes at a time in double; the
    /// others from <paramref name="body"/>. Untrained or unnormalized activations put many lanes
    /// here, so this stays vectorized.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> TailLanes(Vector256<float> x, Vector256<float> body)
    {
        var (lower, upper) = Vector256.Widen(x);
        var tail = Vector256.Narrow(TailDouble(lower), TailDouble(upper));
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(TailStart)), tail, body);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> TailDouble(Vector256<double> x)
    {
        var z = Vector256.Abs(x) * 0.70710678118654752440;
        var t = Vector256<double>.One / (Vector256<double>.One + z * 0.5);
        var p = Vector256.Create(0.17087277);
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-0.82215223));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(1.48851587));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-1.13520398));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.27886807));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-0.18628806));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.09678418));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.37409196));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(1.00002368));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-1.26551223));
        // Past |x| = 12·√2 the true result is below the smallest float: the exponent is capped
        // there (with it x/2·t·exp(…) still rounds to ±0, and −∞ still gives NaN through t = 0),
        // since the vector exp leaves its fast path for arguments below about −708.
        var capped = Vector256.Min(z, Vector256.Create(12.0));
        return x * 0.5 * t * Vector256.Exp(p - capped * capped);
    }

    /// <summary>GELU over a span, eight lanes at a time where the hardware has them (with
    /// <paramref name="allowVector"/>), the scalar formula for the rest; the destination may be
    /// the source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gelu(ReadOnlySpan<float> source, Span<float> destination, bool allowVector = true)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source", nameof(destination));
        var i = 0;
        if (allowVector && Vector256.IsHardwareAccelerated)
            for (; i <= source.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                Gelu(Vector256.Create(source.Slice(i, Vector256<float>.Count))).CopyTo(destination.Slice(i));
        for (; i < source.Length; i++) destination[i] = Gelu(source[i]);
    }
}
