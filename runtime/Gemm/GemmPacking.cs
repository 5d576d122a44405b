using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    /// <summary>Packs NR-column panels [panelStart, panelEnd) of the B block with columns starting
    /// at j0 (nc columns in all) and depth [p0, p0+kc).</summary>
    public static void PackB(float* dst, float* b, int ldb, bool transB, int j0, int nc, int p0, int kc, int panelStart, int panelEnd)
    {
        for (var panelIndex = panelStart; panelIndex < panelEnd; panelIndex++)
        {
            var jr = panelIndex * NR;
            var nr = Math.Min(NR, nc - jr);
            var panel = dst + (long)jr * kc;
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
                // B(p, j) = b[j*ldb + p] (B stored transposed, as a linear layer's weight):
                // walk each stored row contiguously and scatter with stride NR.
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PanelCount(int size, int panel) => (size + panel - 1) / panel;
}
