using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>exp(x) for x ≤ 0 in single precision, as a scalar, 8-lane and 16-lane formula that
/// agree lane for lane: the exponent of softmax (x − max) and of the normal CDF's erfc fit
/// (P(t) − x²/2). .NET's vector <c>Exp</c> of floats widens every lane to double; this stays in
/// float: x = n·ln 2 + r with n = round(x·log₂e) and ln 2 split in two (Cody–Waite, n·ln2_hi exact),
/// |r| ≤ ln 2 / 2, exp(r) by its Taylor polynomial of degree 7 (truncation below 6e-9 relative), and
/// 2ⁿ put into the exponent bits. The result is within about one unit in the last place of exp(x).
/// Below ln(2⁻¹²⁶) the result is 0 (the subnormal range is not kept); NaN stays NaN. Arguments above
/// 0 are outside the domain (they give exp(min(x, 0)) = 1).</summary>
public static class ExpMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>Smallest argument with a normal result (2⁻¹²⁶ times a factor in [1/√2, √2]).</summary>
    private const float Lowest = -87.33654f;

    // 1.5 · 2²³: adding it rounds a float of magnitude below 2²² to an integer n (round to nearest
    // even) and leaves n in the low mantissa bits: bits(x + shift) = 0x4B400000 + n, so
    // (bits + 127) << 23 is the float 2ⁿ (the constant's own bits shift out).
    private const float RoundingShift = 12582912f;

    // 1/k! for k = 7 … 0 (Horner, highest power first).
    private const float C7 = 1f / 5040f, C6 = 1f / 720f, C5 = 1f / 120f, C4 = 1f / 24f, C3 = 1f / 6f, C2 = 0.5f, C1 = 1f, C0 = 1f;

    /// <summary>exp(x) of one value x ≤ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ExpNonPositive(float x)
    {
        if (float.IsNaN(x)) return x;
        if (x < Lowest) return 0f;
        x = MathF.Min(x, 0f);
        var shifted = x * Log2E + RoundingShift;
        var n = shifted - RoundingShift;
        var r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        var p = C7;
        p = MathF.FusedMultiplyAdd(p, r, C6);
        p = MathF.FusedMultiplyAdd(p, r, C5);
        p = MathF.FusedMultiplyAdd(p, r, C4);
        p = MathF.FusedMultiplyAdd(p, r, C3);
        p = MathF.FusedMultiplyAdd(p, r, C2);
        p = MathF.FusedMultiplyAdd(p, r, C1);
        p = MathF.FusedMultiplyAdd(p, r, C0);
        return p * BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(shifted) + 127) << 23);
    }

    /// <summary>exp of eight lanes, each ≤ 0 (see <see cref="ExpNonPositive(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpNonPositive(Vector256<float> x)
    {
        var (c, shifted) = Split(x);
        return Finish(x, Polynomial(Reduced(c, shifted)), shifted);
    }

    /// <summary>exp of two vectors of eight lanes, each ≤ 0, stage by stage: one vector's chain of
    /// dependent FMAs leaves the FMA units idle most of the time, and the out-of-order window does
    /// not reach into the next vector's chain; two short chains side by side it does. The same
    /// floats as one vector at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> First, Vector256<float> Second) ExpNonPositive(Vector256<float> x0, Vector256<float> x1)
    {
        var (c0, shifted0) = Split(x0);
        var (c1, shifted1) = Split(x1);
        var r0 = Reduced(c0, shifted0);
        var r1 = Reduced(c1, shifted1);
        var p0 = Polynomial(r0);
        var p1 = Polynomial(r1);
        return (Finish(x0, p0, shifted0), Finish(x1, p1, shifted1));
    }

    /// <summary>x clamped to [<see cref="Lowest"/>, 0] (the native min/max, one instruction each: a
    /// NaN lane is restored by <see cref="Finish"/>), and x·log₂e + the rounding shift, whose low
    /// mantissa bits hold n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Clamped, Vector256<float> Shifted) Split(Vector256<float> x)
    {
        var c = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(Lowest)), Vector256<float>.Zero);
        return (c, c * Log2E + Vector256.Create(RoundingShift));
    }

    /// <summary>r = c − n·ln 2, ln 2 in two parts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reduced(Vector256<float> c, Vector256<float> shifted)
    {
        var n = shifted - Vector256.Create(RoundingShift);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), c);
        return Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
    }

    /// <summary>exp(r) by its Taylor polynomial (Horner).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Polynomial(Vector256<float> r)
    {
        var p = Vector256.Create(C7);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C1));
        return Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C0));
    }

    /// <summary>exp(r)·2ⁿ, 0 below <see cref="Lowest"/>, NaN where x is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Finish(Vector256<float> x, Vector256<float> p, Vector256<float> shifted)
    {
        var scale = ((shifted.AsInt32() + Vector256.Create(127)) << 23).AsSingle();
        var result = Vector256.AndNot(p * scale, Vector256.LessThan(x, Vector256.Create(Lowest)).AsSingle());
        return Vector256.ConditionalSelect(~Vector256.Equals(x, x), x, result);
    }

    /// <summary>exp of sixteen lanes, each ≤ 0 (see <see cref="ExpNonPositive(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpNonPositive(Vector512<float> x)
    {
        var (c, shifted) = Split(x);
        return Finish(x, Polynomial(Reduced(c, shifted)), shifted);
    }

    /// <summary>exp of two vectors of sixteen lanes, each ≤ 0, stage by stage as the eight-lane pair
    /// <see cref="ExpNonPositive(Vector256{float}, Vector256{float})"/>; the same floats as one vector at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<float> First, Vector512<float> Second) ExpNonPositive(Vector512<float> x0, Vector512<float> x1)
    {
        var (c0, shifted0) = Split(x0);
        var (c1, shifted1) = Split(x1);
        var r0 = Reduced(c0, shifted0);
        var r1 = Reduced(c1, shifted1);
        var p0 = Polynomial(r0);
        var p1 = Polynomial(r1);
        return (Finish(x0, p0, shifted0), Finish(x1, p1, shifted1));
    }

    /// <summary>The sixteen-lane <see cref="Split(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Clamped, Vector512<float> Shifted) Split(Vector512<float> x)
    {
        var c = Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(Lowest)), Vector512<float>.Zero);
        return (c, c * Log2E + Vector512.Create(RoundingShift));
    }

    /// <summary>The sixteen-lane <see cref="Reduced(Vector256{float}, Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reduced(Vector512<float> c, Vector512<float> shifted)
    {
        var n = shifted - Vector512.Create(RoundingShift);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), c);
        return Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
    }

    /// <summary>The sixteen-lane <see cref="Polynomial(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Polynomial(Vector512<float> r)
    {
        var p = Vector512.Create(C7);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C1));
        return Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C0));
    }

    /// <summary>The sixteen-lane <see cref="Finish(Vector256{float}, Vector256{float}, Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish(Vector512<float> x, Vector512<float> p, Vector512<float> shifted)
    {
        var scale = ((shifted.AsInt32() + Vector512.Create(127)) << 23).AsSingle();
        var result = Vector512.AndNot(p * scale, Vector512.LessThan(x, Vector512.Create(Lowest)).AsSingle());
        return Vector512.ConditionalSelect(~Vector512.Equals(x, x), x, result);
    }
}
