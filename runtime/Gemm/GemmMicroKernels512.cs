using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>The AVX-512 register tiles: MR512 × NR (12 × 16), C[0..12, 0..16] (+)= A · Bpanel over
/// kc steps, one zmm accumulator per row, and the same over two adjacent B panels (12 × 32, 24
/// accumulators; the GEMM's main tile, <see cref="TileWide"/>), where the 12 × 16 one takes a
/// single panel left over. Per k step of the narrow tile one aligned B load and twelve A
/// broadcasts feed twelve FMAs (14 of the 32 zmm registers). The tiles are two of the AVX2 tile's
/// A panels tall and one or two B panels wide, so all paths share the packed layouts: the B
/// micro-panels (KC × 16 floats, 16 KiB each) stay in L1, and an A block packed in 6-row panels
/// feeds the 12-row tiles two panels at a time.</summary>
internal static unsafe class GemmMicroKernels512
{
    private const int MR = Gemm.MR;
    private const int NR = Gemm.NR;

    /// <summary>True when the zmm tile can run on this machine.</summary>
    public static bool Available => Avx512F.IsSupported;

    /// <summary>Full tile from two consecutive packed A panels (rows 0–5 at <paramref name="a"/>,
    /// rows 6–11 at a + 6·kc, each [p][6]) and a packed, 64-byte aligned B panel ([p][16]); C is
    /// row-major with leading dimension ldc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        var c0 = Vector512<float>.Zero; var c1 = Vector512<float>.Zero; var c2 = Vector512<float>.Zero;
        var c3 = Vector512<float>.Zero; var c4 = Vector512<float>.Zero; var c5 = Vector512<float>.Zero;
        var c6 = Vector512<float>.Zero; var c7 = Vector512<float>.Zero; var c8 = Vector512<float>.Zero;
        var c9 = Vector512<float>.Zero; var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var a2 = a + (long)MR * kc;
        for (var p = 0; p < kc; p++)
        {
            var bv = Avx512F.LoadAlignedVector512(b);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), bv, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), bv, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), bv, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), bv, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), bv, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), bv, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[0]), bv, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[1]), bv, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[2]), bv, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[3]), bv, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[4]), bv, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[5]), bv, c11);
            a += MR;
            a2 += MR;
            b += NR;
        }
        StoreRows(c, ldc, accumulate, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
    }

    /// <summary>Full tile reading A in place: row i of the tile starts at <c>a + i·lda</c>
    /// (kc contiguous values), for a B packed beforehand, so nothing is packed per call. Twelve
    /// row streams walk forward together.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileRowsA(int kc, float* a, long lda, float* b, float* c, int ldc, bool accumulate)
    {
        var c0 = Vector512<float>.Zero; var c1 = Vector512<float>.Zero; var c2 = Vector512<float>.Zero;
        var c3 = Vector512<float>.Zero; var c4 = Vector512<float>.Zero; var c5 = Vector512<float>.Zero;
        var c6 = Vector512<float>.Zero; var c7 = Vector512<float>.Zero; var c8 = Vector512<float>.Zero;
        var c9 = Vector512<float>.Zero; var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        // Four row bases and one stride reach all twelve rows with base + index·{1, 2, 4, 8}
        // addressing, so the loop needs five pointer registers instead of twelve.
        var r0 = a;
        var r3 = a + 3 * lda;
        var r6 = a + 6 * lda;
        var r9 = a + 9 * lda;
        var end = a + kc;
        for (; r0 < end; r0++, r3++, r6++, r9++)
        {
            var bv = Avx512F.LoadAlignedVector512(b);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(r0[0]), bv, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(r0[lda]), bv, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(r0[2 * lda]), bv, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(r3[0]), bv, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(r3[lda]), bv, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(r3[2 * lda]), bv, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(r6[0]), bv, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(r6[lda]), bv, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(r6[2 * lda]), bv, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(r9[0]), bv, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(r9[lda]), bv, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(r9[2 * lda]), bv, c11);
            b += NR;
        }
        StoreRows(c, ldc, accumulate, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
    }

    /// <summary><see cref="Tile"/> over two adjacent B panels (the second at
    /// <c>b + 16·kc</c>): a 12 × 32 block of C in 24 accumulators. Each A broadcast feeds two
    /// FMAs, so a k step makes 24 FMAs from 14 loads where the 12 × 16 tile makes 12 from 13: on a
    /// core that runs two full-width FMAs a cycle, the narrower tile is bound by its loads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileWide(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        var c0 = Vector512<float>.Zero; var c1 = Vector512<float>.Zero; var c2 = Vector512<float>.Zero;
        var c3 = Vector512<float>.Zero; var c4 = Vector512<float>.Zero; var c5 = Vector512<float>.Zero;
        var c6 = Vector512<float>.Zero; var c7 = Vector512<float>.Zero; var c8 = Vector512<float>.Zero;
        var c9 = Vector512<float>.Zero; var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var d0 = Vector512<float>.Zero; var d1 = Vector512<float>.Zero; var d2 = Vector512<float>.Zero;
        var d3 = Vector512<float>.Zero; var d4 = Vector512<float>.Zero; var d5 = Vector512<float>.Zero;
        var d6 = Vector512<float>.Zero; var d7 = Vector512<float>.Zero; var d8 = Vector512<float>.Zero;
        var d9 = Vector512<float>.Zero; var d10 = Vector512<float>.Zero; var d11 = Vector512<float>.Zero;
        var a2 = a + (long)MR * kc;
        var b2 = b + (long)NR * kc;
        for (var p = 0; p < kc; p++)
        {
            var bv = Avx512F.LoadAlignedVector512(b);
            var bw = Avx512F.LoadAlignedVector512(b2);
            var x = Vector512.Create(a[0]); c0 = Avx512F.FusedMultiplyAdd(x, bv, c0); d0 = Avx512F.FusedMultiplyAdd(x, bw, d0);
            x = Vector512.Create(a[1]); c1 = Avx512F.FusedMultiplyAdd(x, bv, c1); d1 = Avx512F.FusedMultiplyAdd(x, bw, d1);
            x = Vector512.Create(a[2]); c2 = Avx512F.FusedMultiplyAdd(x, bv, c2); d2 = Avx512F.FusedMultiplyAdd(x, bw, d2);
            x = Vector512.Create(a[3]); c3 = Avx512F.FusedMultiplyAdd(x, bv, c3); d3 = Avx512F.FusedMultiplyAdd(x, bw, d3);
            x = Vector512.Create(a[4]); c4 = Avx512F.FusedMultiplyAdd(x, bv, c4); d4 = Avx512F.FusedMultiplyAdd(x, bw, d4);
            x = Vector512.Create(a[5]); c5 = Avx512F.FusedMultiplyAdd(x, bv, c5); d5 = Avx512F.FusedMultiplyAdd(x, bw, d5);
            x = Vector512.Create(a2[0]); c6 = Avx512F.FusedMultiplyAdd(x, bv, c6); d6 = Avx512F.FusedMultiplyAdd(x, bw, d6);
            x = Vector512.Create(a2[1]); c7 = Avx512F.FusedMultiplyAdd(x, bv, c7); d7 = Avx512F.FusedMultiplyAdd(x, bw, d7);
            x = Vector512.Create(a2[2]); c8 = Avx512F.FusedMultiplyAdd(x, bv, c8); d8 = Avx512F.FusedMultiplyAdd(x, bw, d8);
            x = Vector512.Create(a2[3]); c9 = Avx512F.FusedMultiplyAdd(x, bv, c9); d9 = Avx512F.FusedMultiplyAdd(x, bw, d9);
            x = Vector512.Create(a2[4]); c10 = Avx512F.FusedMultiplyAdd(x, bv, c10); d10 = Avx512F.FusedMultiplyAdd(x, bw, d10);
            x = Vector512.Create(a2[5]); c11 = Avx512F.FusedMultiplyAdd(x, bv, c11); d11 = Avx512F.FusedMultiplyAdd(x, bw, d11);
            a += MR;
            a2 += MR;
            b += NR;
            b2 += NR;
        }
        StoreRows(c, ldc, accumulate, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
        StoreRows(c + NR, ldc, accumulate, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11);
    }

    /// <summary><see cref="TileRowsA"/> over two adjacent B panels, as <see cref="TileWide"/>. With
    /// <paramref name="finish"/> the tile completes its 12 × 32 block of C: the epilogue's bias
    /// (one per row, from <paramref name="rowBias"/>, null for none), residual (at
    /// <paramref name="residual"/>, laid out as C from the tile's corner, null for none) and ReLU are
    /// applied in registers before the one store, so the block is written once instead of stored,
    /// read back and stored again.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileRowsAWide(int kc, float* a, long lda, float* b, float* c, int ldc, bool accumulate,
        bool finish = false, float* rowBias = null, float* residual = null, bool relu = false)
    {
        var c0 = Vector512<float>.Zero; var c1 = Vector512<float>.Zero; var c2 = Vector512<float>.Zero;
        var c3 = Vector512<float>.Zero; var c4 = Vector512<float>.Zero; var c5 = Vector512<float>.Zero;
        var c6 = Vector512<float>.Zero; var c7 = Vector512<float>.Zero; var c8 = Vector512<float>.Zero;
        var c9 = Vector512<float>.Zero; var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var d0 = Vector512<float>.Zero; var d1 = Vector512<float>.Zero; var d2 = Vector512<float>.Zero;
        var d3 = Vector512<float>.Zero; var d4 = Vector512<float>.Zero; var d5 = Vector512<float>.Zero;
        var d6 = Vector512<float>.Zero; var d7 = Vector512<float>.Zero; var d8 = Vector512<float>.Zero;
        var d9 = Vector512<float>.Zero; var d10 = Vector512<float>.Zero; var d11 = Vector512<float>.Zero;
        var r0 = a;
        var r3 = a + 3 * lda;
        var r6 = a + 6 * lda;
        var r9 = a + 9 * lda;
        var end = a + kc;
        var b2 = b + (long)NR * kc;
        for (; r0 < end; r0++, r3++, r6++, r9++)
        {
            var bv = Avx512F.LoadAlignedVector512(b);
            var bw = Avx512F.LoadAlignedVector512(b2);
            var x = Vector512.Create(r0[0]); c0 = Avx512F.FusedMultiplyAdd(x, bv, c0); d0 = Avx512F.FusedMultiplyAdd(x, bw, d0);
            x = Vector512.Create(r0[lda]); c1 = Avx512F.FusedMultiplyAdd(x, bv, c1); d1 = Avx512F.FusedMultiplyAdd(x, bw, d1);
            x = Vector512.Create(r0[2 * lda]); c2 = Avx512F.FusedMultiplyAdd(x, bv, c2); d2 = Avx512F.FusedMultiplyAdd(x, bw, d2);
            x = Vector512.Create(r3[0]); c3 = Avx512F.FusedMultiplyAdd(x, bv, c3); d3 = Avx512F.FusedMultiplyAdd(x, bw, d3);
            x = Vector512.Create(r3[lda]); c4 = Avx512F.FusedMultiplyAdd(x, bv, c4); d4 = Avx512F.FusedMultiplyAdd(x, bw, d4);
            x = Vector512.Create(r3[2 * lda]); c5 = Avx512F.FusedMultiplyAdd(x, bv, c5); d5 = Avx512F.FusedMultiplyAdd(x, bw, d5);
            x = Vector512.Create(r6[0]); c6 = Avx512F.FusedMultiplyAdd(x, bv, c6); d6 = Avx512F.FusedMultiplyAdd(x, bw, d6);
            x = Vector512.Create(r6[lda]); c7 = Avx512F.FusedMultiplyAdd(x, bv, c7); d7 = Avx512F.FusedMultiplyAdd(x, bw, d7);
            x = Vector512.Create(r6[2 * lda]); c8 = Avx512F.FusedMultiplyAdd(x, bv, c8); d8 = Avx512F.FusedMultiplyAdd(x, bw, d8);
            x = Vector512.Create(r9[0]); c9 = Avx512F.FusedMultiplyAdd(x, bv, c9); d9 = Avx512F.FusedMultiplyAdd(x, bw, d9);
            x = Vector512.Create(r9[lda]); c10 = Avx512F.FusedMultiplyAdd(x, bv, c10); d10 = Avx512F.FusedMultiplyAdd(x, bw, d10);
            x = Vector512.Create(r9[2 * lda]); c11 = Avx512F.FusedMultiplyAdd(x, bv, c11); d11 = Avx512F.FusedMultiplyAdd(x, bw, d11);
            b += NR;
            b2 += NR;
        }
        if (finish)
        {
            FinishRows(c, ldc, accumulate, rowBias, residual, relu, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
            FinishRows(c + NR, ldc, accumulate, rowBias, residual == null ? null : residual + NR, relu, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11);
            return;
        }
        StoreRows(c, ldc, accumulate, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
        StoreRows(c + NR, ldc, accumulate, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11);
    }

    /// <summary>Up to four rows of <see cref="TileRowsAWide"/> (<paramref name="rows"/> of 1–4;
    /// a missing row reads the last real one and is not stored): the rows a 12-row block leaves
    /// (out-channel counts of 64, 128, 256 … leave 4 or 8), which the ymm tile would otherwise
    /// take at half the width through a scalar edge copy. Eight accumulators are just enough to
    /// cover the FMA latency on two pipes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileRowsAWide4(int kc, float* a, long lda, float* b, float* c, int ldc, bool accumulate, int rows)
    {
        var c0 = Vector512<float>.Zero; var c1 = Vector512<float>.Zero; var c2 = Vector512<float>.Zero; var c3 = Vector512<float>.Zero;
        var d0 = Vector512<float>.Zero; var d1 = Vector512<float>.Zero; var d2 = Vector512<float>.Zero; var d3 = Vector512<float>.Zero;
        var r0 = a;
        var r1 = a + Math.Min(1, rows - 1) * lda;
        var r2 = a + Math.Min(2, rows - 1) * lda;
        var r3 = a + Math.Min(3, rows - 1) * lda;
        var end = a + kc;
        var b2 = b + (long)NR * kc;
        for (; r0 < end; r0++, r1++, r2++, r3++)
        {
            var bv = Avx512F.LoadAlignedVector512(b);
            var bw = Avx512F.LoadAlignedVector512(b2);
            var x = Vector512.Create(r0[0]); c0 = Avx512F.FusedMultiplyAdd(x, bv, c0); d0 = Avx512F.FusedMultiplyAdd(x, bw, d0);
            x = Vector512.Create(r1[0]); c1 = Avx512F.FusedMultiplyAdd(x, bv, c1); d1 = Avx512F.FusedMultiplyAdd(x, bw, d1);
            x = Vector512.Create(r2[0]); c2 = Avx512F.FusedMultiplyAdd(x, bv, c2); d2 = Avx512F.FusedMultiplyAdd(x, bw, d2);
            x = Vector512.Create(r3[0]); c3 = Avx512F.FusedMultiplyAdd(x, bv, c3); d3 = Avx512F.FusedMultiplyAdd(x, bw, d3);
            b += NR;
            b2 += NR;
        }
        StoreRow(c, c0, accumulate); StoreRow(c + NR, d0, accumulate);
        if (rows > 1) { StoreRow(c + ldc, c1, accumulate); StoreRow(c + ldc + NR, d1, accumulate); }
        if (rows > 2) { StoreRow(c + 2L * ldc, c2, accumulate); StoreRow(c + 2L * ldc + NR, d2, accumulate); }
        if (rows > 3) { StoreRow(c + 3L * ldc, c3, accumulate); StoreRow(c + 3L * ldc + NR, d3, accumulate); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows(float* c, long ldc, bool accumulate,
        Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3, Vector512<float> c4, Vector512<float> c5,
        Vector512<float> c6, Vector512<float> c7, Vector512<float> c8, Vector512<float> c9, Vector512<float> c10, Vector512<float> c11)
    {
        StoreRow(c, c0, accumulate); StoreRow(c + ldc, c1, accumulate); StoreRow(c + 2 * ldc, c2, accumulate);
        StoreRow(c + 3 * ldc, c3, accumulate); StoreRow(c + 4 * ldc, c4, accumulate); StoreRow(c + 5 * ldc, c5, accumulate);
        StoreRow(c + 6 * ldc, c6, accumulate); StoreRow(c + 7 * ldc, c7, accumulate); StoreRow(c + 8 * ldc, c8, accumulate);
        StoreRow(c + 9 * ldc, c9, accumulate); StoreRow(c + 10 * ldc, c10, accumulate); StoreRow(c + 11 * ldc, c11, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> v, bool accumulate)
    {
        if (accumulate) v = Avx512F.Add(v, Avx512F.LoadVector512(c));
        Avx512F.Store(c, v);
    }

    /// <summary><see cref="StoreRows"/> with the epilogue of <see cref="TileRowsAWide"/>: row i
    /// adds rowBias[i] and its residual row, then ReLU, in the order of <see cref="GemmRowEpilogue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishRows(float* c, long ldc, bool accumulate, float* rowBias, float* residual, bool relu,
        Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3, Vector512<float> c4, Vector512<float> c5,
        Vector512<float> c6, Vector512<float> c7, Vector512<float> c8, Vector512<float> c9, Vector512<float> c10, Vector512<float> c11)
    {
        FinishRow(c, ldc, 0, c0, accumulate, rowBias, residual, relu); FinishRow(c, ldc, 1, c1, accumulate, rowBias, residual, relu);
        FinishRow(c, ldc, 2, c2, accumulate, rowBias, residual, relu); FinishRow(c, ldc, 3, c3, accumulate, rowBias, residual, relu);
        FinishRow(c, ldc, 4, c4, accumulate, rowBias, residual, relu); FinishRow(c, ldc, 5, c5, accumulate, rowBias, residual, relu);
        FinishRow(c, ldc, 6, c6, accumulate, rowBias, residual, relu); FinishRow(c, ldc, 7, c7, accumulate, rowBias, residual, relu);
        FinishRow(c, ldc, 8, c8, accumulate, rowBias, residual, relu); FinishRow(c, ldc, 9, c9, accumulate, rowBias, residual, relu);
        FinishRow(c, ldc, 10, c10, accumulate, rowBias, residual, relu); FinishRow(c, ldc, 11, c11, accumulate, rowBias, residual, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishRow(float* c, long ldc, int row, Vector512<float> v, bool accumulate, float* rowBias, float* residual, bool relu)
    {
        var at = row * ldc;
        if (accumulate) v = Avx512F.Add(v, Avx512F.LoadVector512(c + at));
        if (rowBias != null) v = Avx512F.Add(v, Vector512.Create(rowBias[row]));
        if (residual != null) v = Avx512F.Add(v, Avx512F.LoadVector512(residual + at));
        if (relu) v = Avx512F.Max(v, Vector512<float>.Zero);
        Avx512F.Store(c + at, v);
    }
}
