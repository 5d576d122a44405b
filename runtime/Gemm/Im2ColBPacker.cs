using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>B = the im2col matrix of one image and group, packed straight from the image:
/// row (c, ky, kx) and column (oy, ox) hold input[c, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw], or 0
/// in the padding. Skipping the materialized im2col matrix saves writing and re-reading
/// kh·kw copies of the image.</summary>
internal readonly unsafe struct Im2ColBPacker(float* image, ConvGeometry g) : IGemmBPacker
{
    private const int NR = Gemm.NR;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(float* dst, int j0, int nc, int p0, int kc, int panelStart, int panelEnd)
    {
        // A panel's NR pixels fall into runs along output rows.
        var runRow = stackalloc int[NR];
        var runCol = stackalloc int[NR];
        var runLength = stackalloc int[NR];
        var runStart = stackalloc int[NR];
        // Per k row (c, ky, kx): the channel plane and the tap's offsets, computed once per
        // slice rather than per panel (integer division is slow).
        var planeOf = stackalloc long[kc];
        var tapY = stackalloc int[kc];
        var tapX = stackalloc int[kc];
        var taps = g.KernelHeight * g.KernelWidth;
        for (var p = 0; p < kc; p++)
        {
            var row = p0 + p;
            planeOf[p] = (long)(row / taps) * g.Height * g.Width;
            tapY[p] = row % taps / g.KernelWidth * g.DilationH - g.PadH;
            tapX[p] = row % g.KernelWidth * g.DilationW - g.PadW;
        }
        for (var panel = panelStart; panel < panelEnd; panel++)
        {
            var jr = panel * NR;
            var nr = Math.Min(NR, nc - jr);
            var runs = 0;
            for (var jj = 0; jj < nr;)
            {
                var pixel = j0 + jr + jj;
                var oy = pixel / g.OutWidth;
                var ox = pixel % g.OutWidth;
                var length = Math.Min(nr - jj, g.OutWidth - ox);
                runRow[runs] = oy;
                runCol[runs] = ox;
                runLength[runs] = length;
                runStart[runs] = jj;
                runs++;
                jj += length;
            }

            var dstPanel = dst + (long)jr * kc;
            for (var p = 0; p < kc; p++)
            {
                var plane = image + planeOf[p];
                var d = dstPanel + p * NR;
                // Zero the whole k step first (padding and columns past nc), then copy the parts
                // of each run that lie inside the image.
                Vector256.Store(Vector256<float>.Zero, d);
                Vector256.Store(Vector256<float>.Zero, d + 8);
                for (var r = 0; r < runs; r++)
                {
                    var iy = runRow[r] * g.StrideH + tapY[p];
                    if ((uint)iy >= (uint)g.Height) continue;
                    var src = plane + iy * g.Width;
                    var target = d + runStart[r];
                    var length = runLength[r];
                    var ix = runCol[r] * g.StrideW + tapX[p];
                    if (g.StrideW == 1)
                    {
                        var lo = Math.Max(0, -ix);
                        var hi = Math.Min(length, g.Width - ix);
                        if (lo < hi) CopyShort(src + ix + lo, target + lo, hi - lo);
                    }
                    else
                    {
                        for (var t = 0; t < length; t++, ix += g.StrideW)
                            if ((uint)ix < (uint)g.Width) target[t] = src[ix];
                    }
                }
            }
        }
    }

    /// <summary>Copies 1..16 floats with at most two (overlapping) vector moves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyShort(float* src, float* dst, int count)
    {
        if (count == 16)
        {
            Vector256.Store(Vector256.Load(src), dst);
            Vector256.Store(Vector256.Load(src + 8), dst + 8);
        }
        else if (count >= 8)
        {
            var head = Vector256.Load(src);
            var tail = Vector256.Load(src + count - 8);
            head.Store(dst);
            tail.Store(dst + count - 8);
        }
        else if (count >= 4)
        {
            var head = Vector128.Load(src);
            var tail = Vector128.Load(src + count - 4);
            head.Store(dst);
            tail.Store(dst + count - 4);
        }
        else
        {
            for (var t = 0; t < count; t++) dst[t] = src[t];
        }
    }
}
