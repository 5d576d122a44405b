using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>A few rows of A (m ≤ <see cref="MaxRows"/>: a linear layer on one token or a small
/// batch) against B packed into 16-column panels. The 6-row tile would compute six rows for each
/// real one, and a single row against one panel has only two accumulator chains, which wait on
/// the FMA latency. Here the (row, panel) products of the k slice are taken four at a time,
/// panel by panel and row by row: one row against four panels, two rows against two, or four rows
/// against one. That gives eight accumulators, and per k step 4 broadcasts and 8 aligned panel
/// loads feed 8 FMAs.</summary>
internal static unsafe class GemmFewRows
{
    /// <summary>Most rows taken here; more run the 6-row tile.</summary>
    public const int MaxRows = 4;

    /// <summary>Most rows taken here on the AVX-512 path, whose 4 × 32 zmm tile makes a block of 3
    /// or 4 rows in fewer FMAs (8 zmm per k step against 12 or 16 ymm here); on one or two rows that
    /// tile repeats rows and these products make as many or fewer.</summary>
    public const int MaxRowsBesideZmm = 2;

    /// <summary>Whether a block of <paramref name="rows"/> rows runs here on <paramref name="path"/>.</summary>
    public static bool Takes(int rows, SimdPath path) =>
        path != SimdPath.Portable && rows <= (path == SimdPath.Avx512 ? MaxRowsBesideZmm : MaxRows);

    private const int NR = Gemm.NR;

    /// <summary>C[0..mr) × columns [0, width) (+)= A[0..mr) × the <paramref name="panels"/>
    /// consecutive panels at <paramref name="bp"/> (kc × 16 floats each; the last may hold fewer
    /// than 16 real columns, so width ≤ 16 · panels).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, int lda, int mr, float* bp, int panels, int width, float* c, int ldc, bool add)
    {
        // One scratch row per product slot: a panel with fewer than 16 columns in C, and the
        // repeats of the last product that fill a final group of four.
        var scratch = stackalloc float[4 * NR + 8];
        var edge = (float*)(((nint)scratch + 31) & ~(nint)31);
        var products = mr * panels;
        var pa = stackalloc nint[4];
        var pb = stackalloc nint[4];
        var pc = stackalloc nint[4];
        var partial = stackalloc int[4];
        for (var first = 0; first < products; first += 4)
        {
            var accumulating = 0;
            for (var j = 0; j < 4; j++)
            {
                var product = Math.Min(first + j, products - 1);
                var panel = product / mr;
                var row = product % mr;
                var columns = Math.Min(NR, width - panel * NR);
                pa[j] = (nint)(a + (long)row * lda);
                pb[j] = (nint)(bp + (long)panel * NR * kc);
                var direct = first + j < products && columns == NR;
                pc[j] = direct ? (nint)(c + (long)row * ldc + panel * NR) : (nint)(edge + j * NR);
                partial[j] = first + j < products && columns < NR ? columns : 0;
                if (direct) accumulating |= 1 << j;
            }
            Four(kc, (float*)pa[0], (float*)pa[1], (float*)pa[2], (float*)pa[3], (float*)pb[0], (float*)pb[1], (float*)pb[2], (float*)pb[3],
                (float*)pc[0], (float*)pc[1], (float*)pc[2], (float*)pc[3], add ? accumulating : 0);
            for (var j = 0; j < 4; j++)
            {
                if (partial[j] == 0) continue;
                var product = first + j;
                var dst = c + (long)(product % mr) * ldc + product / mr * NR;
                var sums = edge + j * NR;
                for (var i = 0; i < partial[j]; i++) dst[i] = add ? dst[i] + sums[i] : sums[i];
            }
        }
    }

    /// <summary>Four products of 16 columns: c_j = Σ_k a_j[k] · b_j[16k .. 16k + 16), added to
    /// what c_j holds where bit j of <paramref name="accumulate"/> is set (the others are stored
    /// over, scratch rows among them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Four(int kc, float* a0, float* a1, float* a2, float* a3, float* b0, float* b1, float* b2, float* b3,
        float* c0, float* c1, float* c2, float* c3, int accumulate)
    {
        Vector256<float> s0 = default, t0 = default, s1 = default, t1 = default, s2 = default, t2 = default, s3 = default, t3 = default;
        for (var k = 0; k < kc; k++)
        {
            var o = (nint)k * NR;
            var x = Vector256.Create(a0[k]);
            s0 = Fma.MultiplyAdd(Avx.LoadAlignedVector256(b0 + o), x, s0);
            t0 = Fma.MultiplyAdd(Avx.LoadAlignedVector256(b0 + o + 8), x, t0);
            x = Vector256.Create(a1[k]);
            s1 = Fma.MultiplyAdd(Avx.LoadAlignedVector256(b1 + o), x, s1);
            t1 = Fma.MultiplyAdd(Avx.LoadAlignedVector256(b1 + o + 8), x, t1);
            x = Vector256.Create(a2[k]);
            s2 = Fma.MultiplyAdd(Avx.LoadAlignedVector256(b2 + o), x, s2);
            t2 = Fma.MultiplyAdd(Avx.LoadAlignedVector256(b2 + o + 8), x, t2);
            x = Vector256.Create(a3[k]);
            s3 = Fma.MultiplyAdd(Avx.LoadAlignedVector256(b3 + o), x, s3);
            t3 = Fma.MultiplyAdd(Avx.LoadAlignedVector256(b3 + o + 8), x, t3);
        }
        Put(c0, s0, t0, (accumulate & 1) != 0);
        Put(c1, s1, t1, (accumulate & 2) != 0);
        Put(c2, s2, t2, (accumulate & 4) != 0);
        Put(c3, s3, t3, (accumulate & 8) != 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector256<float> s, Vector256<float> t, bool add)
    {
        if (add)
        {
            s += Vector256.Load(c);
            t += Vector256.Load(c + 8);
        }
        s.Store(c);
        t.Store(c + 8);
    }
}
