using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>B = the im2col matrix of one image and group, packed straight from the image:
/// row (c, ky, kx) and column (oy, ox) hold input[c, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw], or 0
/// in the padding. Skipping the materialized im2col matrix saves writing and re-reading
/// kh·kw copies of the image.</summary>
internal readonly unsafe struct Im2ColBPacker(float* image, ConvGeometry g) : IGemmBPacker
{
    private const int NR = Gemm.NR;

    public void Pack(float* dst, int j0, int nc, int p0, int kc, int panelStart, int panelEnd)
    {
        // A panel's NR pixels fall into runs along output rows.
        var runRow = stackalloc int[NR];
        var runCol = stackalloc int[NR];
        var runLength = stackalloc int[NR];
        var runStart = stackalloc int[NR];
        var taps = g.KernelHeight * g.KernelWidth;
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
                var row = p0 + p;
                var c = row / taps;
                var ky = row % taps / g.KernelWidth;
                var kx = row % g.KernelWidth;
                var plane = image + (long)c * g.Height * g.Width;
                var d = dstPanel + p * NR;
                for (var r = 0; r < runs; r++)
                {
                    var iy = runRow[r] * g.StrideH - g.PadH + ky * g.DilationH;
                    var target = d + runStart[r];
                    var length = runLength[r];
                    if ((uint)iy >= (uint)g.Height)
                    {
                        for (var t = 0; t < length; t++) target[t] = 0f;
                        continue;
                    }
                    var src = plane + iy * g.Width;
                    var ix = runCol[r] * g.StrideW - g.PadW + kx * g.DilationW;
                    if (g.StrideW == 1 && ix >= 0 && ix + length <= g.Width)
                    {
                        if (length == NR)
                        {
                            Vector256.Store(Vector256.Load(src + ix), target);
                            Vector256.Store(Vector256.Load(src + ix + 8), target + 8);
                        }
                        else
                        {
                            for (var t = 0; t < length; t++) target[t] = src[ix + t];
                        }
                    }
                    else
                    {
                        for (var t = 0; t < length; t++, ix += g.StrideW)
                            target[t] = (uint)ix < (uint)g.Width ? src[ix] : 0f;
                    }
                }
                for (var jj = nr; jj < NR; jj++) d[jj] = 0f;
            }
        }
    }
}
