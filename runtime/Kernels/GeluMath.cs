using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>Exact GELU, x·Φ(x), and the normal CDF Φ itself, in single precision, as scalar, 8-lane
/// and 16-lane formulas that agree lane for lane, for the eager kernel and for fused loops of
/// generated code (which render gelu's catalog formula x·Φ(x)). Φ comes from
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

    /// <summary>Below this x, GELU is taken from the double evaluation. Above it the float form
    /// holds the fit's relative accuracy (x² is split exactly into hi + lo and the rounding of
    /// P − x²/2 is carried along, so the exponent adds no error; measured within 4.7e-7 of the
    /// double evaluation from −12 up); further down Φ(x) nears the subnormal range (Φ(−13) is
    /// below the smallest normal float), where the float form loses its relative accuracy.
    /// Activations rarely reach it, so a vector seldom leaves the vector formula.</summary>
    public const float TailStart = -12f;

    // Above this |x|, erfc(|x|/√2) is below the smallest float: Φ is exactly 1 (x > 0).
    private const float Saturation = 20f;

    /// <summary>GELU of one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Gelu(float x)
    {
        if (x < TailStart) return SpecialFunctions.Gelu(x);
        return x * Phi(x);
    }

    /// <summary>Φ(x) of one value at or above <see cref="TailStart"/> (or NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Phi(float x)
    {
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
        var half = 0.5f * t * ExpMath.ExpNonPositive(s) * (1f + e);
        return x >= 0f ? 1f - half : half;
    }

    /// <summary>GELU of eight values; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Gelu(Vector256<float> x)
    {
        if (Vector256.LessThanAny(x, Vector256.Create(TailStart))) return TailLanes(x);
        return x * Phi(x);
    }

    /// <summary>GELU of two vectors (see <see cref="Phi(Vector256{float}, Vector256{float})"/>), the same
    /// floats as <see cref="Gelu(Vector256{float})"/> of each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> First, Vector256<float> Second) Gelu(Vector256<float> x0, Vector256<float> x1)
    {
        if (Vector256.LessThanAny(x0, Vector256.Create(TailStart)) || Vector256.LessThanAny(x1, Vector256.Create(TailStart))) return (Gelu(x0), Gelu(x1));
        var (phi0, phi1) = Phi(x0, x1);
        return (x0 * phi0, x1 * phi1);
    }

    /// <summary>Φ(x) of one value: the float fit above <see cref="TailStart"/>, the double evaluation below.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float NormalCdf(float x)
    {
        if (x < TailStart) return (float)SpecialFunctions.NormalCdf(x);
        return Phi(x);
    }

    /// <summary>Φ(x) of eight values, lane for lane as <see cref="NormalCdf(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> NormalCdf(Vector256<float> x)
    {
        if (Vector256.LessThanAny(x, Vector256.Create(TailStart))) return CdfTailLanes(x);
        return Phi(x);
    }

    /// <summary>Φ(x) of sixteen values, lane for lane as <see cref="NormalCdf(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> NormalCdf(Vector512<float> x)
    {
        if (Vector512.LessThanAny(x, Vector512.Create(TailStart))) return CdfTailLanes(x);
        return Phi(x);
    }

    /// <summary>GELU of sixteen values, lane for lane as <see cref="Gelu(float)"/>; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Gelu(Vector512<float> x)
    {
        if (Vector512.LessThanAny(x, Vector512.Create(TailStart))) return TailLanes(x);
        return x * Phi(x);
    }

    /// <summary>GELU of two vectors of sixteen values, the same floats as <see cref="Gelu(Vector512{float})"/> of each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> First, Vector512<float> Second) Gelu(Vector512<float> x0, Vector512<float> x1)
    {
        if (Vector512.LessThanAny(x0, Vector512.Create(TailStart)) || Vector512.LessThanAny(x1, Vector512.Create(TailStart))) return (Gelu(x0), Gelu(x1));
        var (phi0, phi1) = Phi(x0, x1);
        return (x0 * phi0, x1 * phi1);
    }

    /// <summary>Φ(x) of sixteen values at or above <see cref="TailStart"/> (or NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Phi(Vector512<float> x)
    {
        var (ax, t) = FitVariable(x);
        var (e, s) = ExponentError(ax, FitPolynomial(t));
        return HalfErfc(x, t, ExpMath.ExpNonPositive(s), e);
    }

    /// <summary>Φ of two vectors of sixteen values stage by stage, as the eight-lane pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> First, Vector512<float> Second) Phi(Vector512<float> x0, Vector512<float> x1)
    {
        var (ax0, t0) = FitVariable(x0);
        var (ax1, t1) = FitVariable(x1);
        var p0 = FitPolynomial(t0);
        var p1 = FitPolynomial(t1);
        var (e0, s0) = ExponentError(ax0, p0);
        var (e1, s1) = ExponentError(ax1, p1);
        var (exp0, exp1) = ExpMath.ExpNonPositive(s0, s1);
        return (HalfErfc(x0, t0, exp0, e0), HalfErfc(x1, t1, exp1, e1));
    }

    /// <summary>The sixteen-lane <see cref="FitVariable(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Abs, Vector512<float> T) FitVariable(Vector512<float> x)
    {
        var ax = Vector512.Min(Vector512.Abs(x), Vector512.Create(Saturation));
        return (ax, Vector512<float>.One / (Vector512<float>.One + ax * (0.5f * InverseSqrt2)));
    }

    /// <summary>The sixteen-lane <see cref="FitPolynomial(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FitPolynomial(Vector512<float> t)
    {
        var p = Vector512.Create(P9);
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P8));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P7));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P6));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P1));
        return Vector512.FusedMultiplyAdd(p, t, Vector512.Create(P0));
    }

    /// <summary>The sixteen-lane <see cref="HalfErfc(Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> HalfErfc(Vector512<float> x, Vector512<float> t, Vector512<float> exp, Vector512<float> e)
    {
        var half = t * 0.5f * exp * (Vector512<float>.One + e);
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.One - half, half);
    }

    /// <summary>The sixteen-lane <see cref="ExponentError(Vector256{float}, Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Error, Vector512<float> Sum) ExponentError(Vector512<float> ax, Vector512<float> p)
    {
        var hi = ax * ax;
        var lo = Vector512.FusedMultiplyAdd(ax, ax, -hi);
        var a = hi * -0.5f;
        var s = p + a;
        var bb = s - p;
        return ((p - (s - bb)) + (a - bb) - lo * 0.5f, s);
    }

    /// <summary>Φ(x) of eight values at or above <see cref="TailStart"/> (or NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Phi(Vector256<float> x)
    {
        var (ax, t) = FitVariable(x);
        var (e, s) = ExponentError(ax, FitPolynomial(t));
        return HalfErfc(x, t, ExpMath.ExpNonPositive(s), e);
    }

    /// <summary>Φ of two vectors, stage by stage (as <see cref="ExpMath.ExpNonPositive(Vector256{float}, Vector256{float})"/>),
    /// the same floats as one vector at a time: GELU of 2048 × 1024 on two Zen 3 cores took 2.47
    /// against 3.24 ms, both builds alternating in one process.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> First, Vector256<float> Second) Phi(Vector256<float> x0, Vector256<float> x1)
    {
        var (ax0, t0) = FitVariable(x0);
        var (ax1, t1) = FitVariable(x1);
        var p0 = FitPolynomial(t0);
        var p1 = FitPolynomial(t1);
        var (e0, s0) = ExponentError(ax0, p0);
        var (e1, s1) = ExponentError(ax1, p1);
        var (exp0, exp1) = ExpMath.ExpNonPositive(s0, s1);
        return (HalfErfc(x0, t0, exp0, e0), HalfErfc(x1, t1, exp1, e1));
    }

    /// <summary>|x| (saturated) and the fit's variable t = 1 / (1 + |x|/(2√2)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Abs, Vector256<float> T) FitVariable(Vector256<float> x)
    {
        var ax = Vector256.Min(Vector256.Abs(x), Vector256.Create(Saturation));
        return (ax, Vector256<float>.One / (Vector256<float>.One + ax * (0.5f * InverseSqrt2)));
    }

    /// <summary>P(t) of the erfc fit (Horner).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> FitPolynomial(Vector256<float> t)
    {
        var p = Vector256.Create(P9);
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P8));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P7));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P6));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P1));
        return Vector256.FusedMultiplyAdd(p, t, Vector256.Create(P0));
    }

    /// <summary>Half of erfc(|x|/√2), t·exp(s)·(1 + e)/2: Φ(x) for x &lt; 0, 1 − Φ(x) for x ≥ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> HalfErfc(Vector256<float> x, Vector256<float> t, Vector256<float> exp, Vector256<float> e)
    {
        var half = t * 0.5f * exp * (Vector256<float>.One + e);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.One - half, half);
    }

    /// <summary>s = P − x²/2 and the error e of its rounding, so exp(P − x²/2) = exp(s)·(1 + e) (see
    /// the scalar <see cref="Phi(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Error, Vector256<float> Sum) ExponentError(Vector256<float> ax, Vector256<float> p)
    {
        var hi = ax * ax;
        var lo = Vector256.FusedMultiplyAdd(ax, ax, -hi);
        var a = hi * -0.5f;
        var s = p + a;
        var bb = s - p;
        return ((p - (s - bb)) + (a - bb) - lo * 0.5f, s);
    }

    // A vector with a lane in the lower tail: the other lanes take the vector formula (the tail
    // lanes' inputs clamped to TailStart, a NaN staying NaN), then only the tail lanes are
    // replaced by the double evaluation: the same values, lane for lane, as the scalar path.

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> CdfTailLanes(Vector256<float> x)
    {
        var tail = Vector256.LessThan(x, Vector256.Create(TailStart));
        Span<float> lanes = stackalloc float[Vector256<float>.Count];
        Vector256.ConditionalSelect(tail, Vector256.Create(TailStart), x).CopyTo(lanes);
        Phi(Vector256.Create<float>(lanes)).CopyTo(lanes);
        for (var i = 0; i < lanes.Length; i++)
            if (tail.GetElement(i) != 0f) lanes[i] = (float)SpecialFunctions.NormalCdf(x.GetElement(i));
        return Vector256.Create<float>(lanes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> CdfTailLanes(Vector512<float> x)
    {
        var tail = Vector512.LessThan(x, Vector512.Create(TailStart));
        Span<float> lanes = stackalloc float[Vector512<float>.Count];
        NormalCdf(Vector512.ConditionalSelect(tail, Vector512.Create(TailStart), x)).CopyTo(lanes);
        for (var i = 0; i < lanes.Length; i++)
            if (tail.GetElement(i) != 0f) lanes[i] = (float)SpecialFunctions.NormalCdf(x.GetElement(i));
        return Vector512.Create<float>(lanes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> TailLanes(Vector512<float> x)
    {
        var tail = Vector512.LessThan(x, Vector512.Create(TailStart));
        Span<float> lanes = stackalloc float[Vector512<float>.Count];
        (x * Phi(Vector512.ConditionalSelect(tail, Vector512.Create(TailStart), x))).CopyTo(lanes);
        for (var i = 0; i < lanes.Length; i++)
            if (tail.GetElement(i) != 0f) lanes[i] = SpecialFunctions.Gelu(x.GetElement(i));
        return Vector512.Create<float>(lanes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> TailLanes(Vector256<float> x)
    {
        var tail = Vector256.LessThan(x, Vector256.Create(TailStart));
        Span<float> lanes = stackalloc float[Vector256<float>.Count];
        (x * Phi(Vector256.ConditionalSelect(tail, Vector256.Create(TailStart), x))).CopyTo(lanes);
        for (var i = 0; i < lanes.Length; i++)
            if (tail.GetElement(i) != 0f) lanes[i] = SpecialFunctions.Gelu(x.GetElement(i));
        return Vector256.Create<float>(lanes);
    }

    /// <summary>GELU over a span: sixteen lanes at a time on the AVX-512 path (<see cref="KernelIsa.Current"/>),
    /// eight where the hardware has 256-bit vectors, the scalar formula for the rest; all agree lane
    /// for lane. <paramref name="allowVector"/> = false runs the scalar formula throughout (tests).
    /// The destination may be the source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gelu(ReadOnlySpan<float> source, Span<float> destination, bool allowVector = true)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source", nameof(destination));
        GeluRows(source, destination, source.Length, allowVector && KernelIsa.Current == SimdPath.Avx512, allowVector);
    }

    /// <summary>Below this many elements GELU runs on the calling thread: a fork/join costs more.</summary>
    private const int ParallelElements = 1 << 15;

    /// <summary>Chunks per core of a parallel GELU: a core that the machine's other work slows
    /// takes fewer of them, and the others take the rest.</summary>
    private const int ChunksPerCore = 4;

    /// <summary>GELU of a whole float tensor into <paramref name="destination"/> (which may be
    /// <paramref name="x"/>), in chunks of whole vectors shared out over the cores when it is large.
    /// The vector and scalar formulas agree lane for lane, so where a chunk starts changes nothing.</summary>
    internal static void Gelu(Tensor x, Tensor destination)
    {
        var threads = Environment.ProcessorCount;
        if (threads > 1 && x.Length >= ParallelElements && GemmWorkers.TryAcquire())
        {
            var job = ChunksJob.Instance;
            try
            {
                job.Set(x, destination, ChunksPerCore * threads);
                GemmWorkers.Run(job, ChunksPerCore * threads, threads);
            }
            finally
            {
                job.Set(null, null, 1);
                GemmWorkers.Release();
            }
            return;
        }
        Gelu(x.Floats, destination.Floats);
    }

    private sealed class ChunksJob : GemmJob
    {
        public static readonly ChunksJob Instance = new();
        private Tensor? _x, _destination;
        private int _chunks;

        public void Set(Tensor? x, Tensor? destination, int chunks) => (_x, _destination, _chunks) = (x, destination, chunks);

        public override void Run(int item)
        {
            var length = _x!.Length;
            var start = Boundary(length, item);
            var end = item == _chunks - 1 ? length : Boundary(length, item + 1);
            Gelu(_x.Floats[start..end], _destination!.Floats[start..end]);
        }

        private int Boundary(int length, int item) => (int)((long)length * item / _chunks) & ~(Vector512<float>.Count - 1);
    }

    /// <summary>GELU in place over <paramref name="rows"/> rows of <paramref name="width"/> values
    /// <paramref name="stride"/> apart, starting at <paramref name="c"/>: a block of C a GEMM has just
    /// finished (see <see cref="GemmEpilogue"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void GeluInPlace(float* c, int rows, int width, int stride, SimdPath path)
    {
        for (var i = 0; i < rows; i++)
        {
            var row = new Span<float>(c + (long)i * stride, width);
            GeluRows(row, row, width, path == SimdPath.Avx512, vector: true);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GeluRows(ReadOnlySpan<float> source, Span<float> destination, int length, bool wide, bool vector)
    {
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        if (wide)
        {
            for (; i <= length - 2 * Vector512<float>.Count; i += 2 * Vector512<float>.Count)
            {
                var (first, second) = Gelu(Vector512.LoadUnsafe(ref src, (nuint)i), Vector512.LoadUnsafe(ref src, (nuint)(i + Vector512<float>.Count)));
                first.StoreUnsafe(ref dst, (nuint)i);
                second.StoreUnsafe(ref dst, (nuint)(i + Vector512<float>.Count));
            }
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
                Gelu(Vector512.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        if (vector && Vector256.IsHardwareAccelerated)
        {
            for (; i <= length - 2 * Vector256<float>.Count; i += 2 * Vector256<float>.Count)
            {
                var (first, second) = Gelu(Vector256.LoadUnsafe(ref src, (nuint)i), Vector256.LoadUnsafe(ref src, (nuint)(i + Vector256<float>.Count)));
                first.StoreUnsafe(ref dst, (nuint)i);
                second.StoreUnsafe(ref dst, (nuint)(i + Vector256<float>.Count));
            }
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
                Gelu(Vector256.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < length; i++) Unsafe.Add(ref dst, i) = Gelu(Unsafe.Add(ref src, i));
    }
}
