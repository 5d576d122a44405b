using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>Copies blocks of A and B into the panel layouts the micro-kernel streams through.
/// A block (mc × kc) becomes ⌈mc/MR⌉ panels, each storing MR values per k step; a B block
/// (kc × nc) becomes ⌈nc/NR⌉ panels, each storing NR values per k step. Edge panels are
/// zero-padded so the micro-kernel never branches on size.</summary>
internal static unsafe class GemmPacking
{
    private const int MR = Gemm.MR;
    private const int NR = Gemm.NR;

    /// <summary>Packs rows [i0, i0+mc) and depth [p0, p0+kc) of op(A).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(float* dst, float* a, int lda, bool transA, int i0, int mc, int p0, int kc)
    {
        for (var ir = 0; ir < mc; ir += MR)
        {
            var mr = Math.Min(MR, mc - ir);
            var panel = dst + (long)ir * kc;
            if (!transA)
            {
                // A(i, p) = a[i*lda + p]: walk each row contiguously, scatter with stride MR.
                for (var ii = 0; ii < mr; ii++)
                {
                    var src = a + (long)(i0 + ir + ii) * lda + p0;
                    for (var p = 0; p < kc; p++) panel[p * MR + ii] = src[p];
                }
            }
            else
            {
                // A(i, p) = a[p*lda + i]: each k step is a contiguous run of mr values.
                for (var p = 0; p < kc; p++)
                {
                    var src = a + (long)(p0 + p) * lda + i0 + ir;
                    for (var ii = 0; ii < mr; ii++) panel[p * MR + ii] = src[ii];
                }
            }
            if (mr < MR)
                for (var p = 0; p < kc; p++)
                    for (var ii = mr; ii < MR; ii++) panel[p * MR + ii] = 0f;
        }
    }

    private const int StripPanels = 4;

    /// <summary>Packs NR-column panels [panelStart, panelEnd) of the B block with columns starting
    /// at j0 (nc columns in all) and depth [p0, p0+kc).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* dst, float* b, int ldb, bool transB, int j0, int nc, int p0, int kc, int panelStart, int panelEnd)
    {
        for (var panelIndex = panelStart; panelIndex < panelEnd; panelIndex++)
        {
            var jr = panelIndex * NR;
            var nr = Math.Min(NR, nc - jr);
            var panel = dst + (long)jr * kc;
            if (!transB && panelIndex + StripPanels <= panelEnd && nc - jr >= StripPanels * NR)
            {
                // Four panels at once: each k step reads 64 contiguous values (four cache lines)
                // of a B row instead of one line per row per panel, which the prefetchers follow
                // far better on B rows thousands of floats apart (a convolution's image planes).
                for (var p = 0; p < kc; p++)
                {
                    var src = b + (long)(p0 + p) * ldb + j0 + jr;
                    var d = panel + p * NR;
                    for (var q = 0; q < StripPanels; q++)
                    {
                        Vector256.Store(Vector256.Load(src + q * NR), d + (long)q * NR * kc);
                        Vector256.Store(Vector256.Load(src + q * NR + 8), d + (long)q * NR * kc + 8);
                    }
                }
                panelIndex += StripPanels - 1;
                continue;
            }
            if (!transB)
            {
                // B(p, j) = b[p*ldb + j]: each k step is a contiguous run of nr values.
                if (nr == NR)
                {
                    for (var p = 0; p < kc; p++)
                    {
                        var src = b + (long)(p0 + p) * ldb + j0 + jr;
                        var d = panel + p * NR;
                        Vector256.Store(Vector256.Load(src), d);
                        Vector256.Store(Vector256.Load(src + 8), d + 8);
                    }
                }
                else
                {
                    for (var p = 0; p < kc; p++)
                    {
                        var src = b + (long)(p0 + p) * ldb + j0 + jr;
                        var d = panel + p * NR;
                        var jj = 0;
                        for (; jj < nr; jj++) d[jj] = src[jj];
                        for (; jj < NR; jj++) d[jj] = 0f;
                    }
                }
            }
            else
            {
                // B(p, j) = b[j*ldb + p] (B stored transposed, as a linear layer's weight).
                // A full panel goes through 8 × 8 register transposes: eight stored rows, eight
                // k steps at a time, become eight k steps of eight columns.
                var p8 = 0;
                if (nr == NR && Avx.IsSupported)
                {
                    for (; p8 + 8 <= kc; p8 += 8)
                        for (var half = 0; half < NR; half += 8)
                            Transpose8x8(b + (long)(j0 + jr + half) * ldb + p0 + p8, ldb, panel + p8 * NR + half, NR);
                    for (var jj = 0; jj < NR; jj++)
                    {
                        var src = b + (long)(j0 + jr + jj) * ldb + p0;
                        for (var p = p8; p < kc; p++) panel[p * NR + jj] = src[p];
                    }
                    continue;
                }
                // Otherwise walk each stored row contiguously and scatter with stride NR.
                for (var jj = 0; jj < nr; jj++)
                {
                    var src = b + (long)(j0 + jr + jj) * ldb + p0;
                    for (var p = 0; p < kc; p++) panel[p * NR + jj] = src[p];
                }
                if (nr < NR)
                    for (var p = 0; p < kc; p++)
                        for (var jj = nr; jj < NR; jj++) panel[p * NR + jj] = 0f;
            }
        }
    }

    /// <summary>dst[q·ldd + r] = src[r·lds + q] for r, q &lt; 8: eight rows of eight floats
    /// transposed in registers (unpack, shuffle, then swap 128-bit halves).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, int lds, float* dst, int ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2L * lds);
        var r3 = Avx.LoadVector256(src + 3L * lds);
        var r4 = Avx.LoadVector256(src + 4L * lds);
        var r5 = Avx.LoadVector256(src + 5L * lds);
        var r6 = Avx.LoadVector256(src + 6L * lds);
        var r7 = Avx.LoadVector256(src + 7L * lds);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2L * ldd, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3L * ldd, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4L * ldd, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5L * ldd, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6L * ldd, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7L * ldd, Avx.Permute2x128(s3, s7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PanelCount(int size, int panel) => (size + panel - 1) / panel;
}
