using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>A 3×3, stride-1 depthwise plane on zmm registers, several output rows per tile: each
/// 16-pixel input vector loaded for a tap column is multiplied into every output row whose window
/// holds its row (up to three), so a tile of R rows loads 3·(R + 2) vectors per column for 9·R FMAs
/// instead of 9·R. The one-vector-per-FMA tiles of <see cref="DepthwiseConvProblem"/> ran at an
/// eighth of the FMA rate, held by those loads (each 16-float load at an arbitrary column crosses a
/// cache line). The nine weights stay in registers for the whole plane. Each output sums its taps
/// in the same order as the one-vector tiles (row by row, column by column), so both give the same
/// floats.</summary>
/// <remarks>Tiles are 4 rows × 2 vectors when a row holds more than one vector and 8 rows × 1
/// vector otherwise: 8 independent FMA chains either way, enough to hide the FMA latency. The last
/// row block and a row's last pair are moved back to end at the plane's edge, recomputing a few
/// outputs, which needs an output that is not also an input (no residual). A vector that ends a
/// row stores its valid lanes under a mask.</remarks>
internal static unsafe class DepthwiseRowTile512
{
    private const int Lanes = 16;

    /// <summary>Whether the row tiles (these, or <see cref="DepthwiseStride2RowTile512"/>) run this plane:
    /// AVX-512 with zmm vectors, a 3×3 kernel of stride 1 or 2 and dilation 1, no residual, and
    /// enough rows for one tile. They read the padded image in its unit-stride layout.</summary>
    public static bool Covers(ConvGeometry g, bool wide, bool residual) =>
        wide && !residual && g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideH == g.StrideW && g.StrideH is 1 or 2
        && g.DilationH == 1 && g.DilationW == 1 && g.OutHeight >= (g.OutWidth > Lanes ? 4 : 8);

    /// <summary>One output plane from the padded one-channel image (row stride
    /// <paramref name="rowStride"/>, unit stride, so tap (ky, kx) of output (y, x) is
    /// image[(y + ky)·rowStride + x + kx]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunPlane(float* image, int rowStride, float* weights, float bias, float* output, int height, int width, bool relu)
    {
        if (width > Lanes) RunFourByTwo(image, rowStride, weights, bias, output, height, width, relu);
        else RunEightByOne(image, rowStride, weights, bias, output, height, width, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunFourByTwo(float* image, int rowStride, float* weights, float bias, float* output, int height, int width, bool relu)
    {
        var w00 = Vector512.Create(weights[0]); var w01 = Vector512.Create(weights[1]); var w02 = Vector512.Create(weights[2]);
        var w10 = Vector512.Create(weights[3]); var w11 = Vector512.Create(weights[4]); var w12 = Vector512.Create(weights[5]);
        var w20 = Vector512.Create(weights[6]); var w21 = Vector512.Create(weights[7]); var w22 = Vector512.Create(weights[8]);
        var start = Vector512.Create(bias);
        var vectors = (width + Lanes - 1) / Lanes;
        for (var y0 = 0; y0 < height; y0 += 4)
        {
            var y = Math.Min(y0, height - 4);
            for (var v = 0; v < vectors; v += 2)
            {
                var xa = Math.Min(v, vectors - 2) * Lanes;
                var xb = xa + Lanes;
                var p = image + (long)y * rowStride;
                Vector512<float> a0 = start, b0 = start, a1 = start, b1 = start, a2 = start, b2 = start, a3 = start, b3 = start;

                // Input row y + 0 feeds output row 0 (ky 0).
                var la0 = Vector512.Load(p + xa); var la1 = Vector512.Load(p + xa + 1); var la2 = Vector512.Load(p + xa + 2);
                var lb0 = Vector512.Load(p + xb); var lb1 = Vector512.Load(p + xb + 1); var lb2 = Vector512.Load(p + xb + 2);
                a0 = Row(a0, w00, w01, w02, la0, la1, la2); b0 = Row(b0, w00, w01, w02, lb0, lb1, lb2);
                p += rowStride;

                // y + 1: rows 0 (ky 1) and 1 (ky 0).
                la0 = Vector512.Load(p + xa); la1 = Vector512.Load(p + xa + 1); la2 = Vector512.Load(p + xa + 2);
                lb0 = Vector512.Load(p + xb); lb1 = Vector512.Load(p + xb + 1); lb2 = Vector512.Load(p + xb + 2);
                a0 = Row(a0, w10, w11, w12, la0, la1, la2); b0 = Row(b0, w10, w11, w12, lb0, lb1, lb2);
                a1 = Row(a1, w00, w01, w02, la0, la1, la2); b1 = Row(b1, w00, w01, w02, lb0, lb1, lb2);
                p += rowStride;

                // y + 2: rows 0 (ky 2), 1 (ky 1), 2 (ky 0).
                la0 = Vector512.Load(p + xa); la1 = Vector512.Load(p + xa + 1); la2 = Vector512.Load(p + xa + 2);
                lb0 = Vector512.Load(p + xb); lb1 = Vector512.Load(p + xb + 1); lb2 = Vector512.Load(p + xb + 2);
                a0 = Row(a0, w20, w21, w22, la0, la1, la2); b0 = Row(b0, w20, w21, w22, lb0, lb1, lb2);
                a1 = Row(a1, w10, w11, w12, la0, la1, la2); b1 = Row(b1, w10, w11, w12, lb0, lb1, lb2);
                a2 = Row(a2, w00, w01, w02, la0, la1, la2); b2 = Row(b2, w00, w01, w02, lb0, lb1, lb2);
                p += rowStride;

                // y + 3: rows 1 (ky 2), 2 (ky 1), 3 (ky 0).
                la0 = Vector512.Load(p + xa); la1 = Vector512.Load(p + xa + 1); la2 = Vector512.Load(p + xa + 2);
                lb0 = Vector512.Load(p + xb); lb1 = Vector512.Load(p + xb + 1); lb2 = Vector512.Load(p + xb + 2);
                a1 = Row(a1, w20, w21, w22, la0, la1, la2); b1 = Row(b1, w20, w21, w22, lb0, lb1, lb2);
                a2 = Row(a2, w10, w11, w12, la0, la1, la2); b2 = Row(b2, w10, w11, w12, lb0, lb1, lb2);
                a3 = Row(a3, w00, w01, w02, la0, la1, la2); b3 = Row(b3, w00, w01, w02, lb0, lb1, lb2);
                p += rowStride;

                // y + 4: rows 2 (ky 2) and 3 (ky 1).
                la0 = Vector512.Load(p + xa); la1 = Vector512.Load(p + xa + 1); la2 = Vector512.Load(p + xa + 2);
                lb0 = Vector512.Load(p + xb); lb1 = Vector512.Load(p + xb + 1); lb2 = Vector512.Load(p + xb + 2);
                a2 = Row(a2, w20, w21, w22, la0, la1, la2); b2 = Row(b2, w20, w21, w22, lb0, lb1, lb2);
                a3 = Row(a3, w10, w11, w12, la0, la1, la2); b3 = Row(b3, w10, w11, w12, lb0, lb1, lb2);
                p += rowStride;

                // y + 5: row 3 (ky 2).
                la0 = Vector512.Load(p + xa); la1 = Vector512.Load(p + xa + 1); la2 = Vector512.Load(p + xa + 2);
                lb0 = Vector512.Load(p + xb); lb1 = Vector512.Load(p + xb + 1); lb2 = Vector512.Load(p + xb + 2);
                a3 = Row(a3, w20, w21, w22, la0, la1, la2); b3 = Row(b3, w20, w21, w22, lb0, lb1, lb2);

                var o = output + (long)y * width;
                var countB = Math.Min(Lanes, width - xb);
                Store(a0, o + xa, Lanes, relu); Store(b0, o + xb, countB, relu); o += width;
                Store(a1, o + xa, Lanes, relu); Store(b1, o + xb, countB, relu); o += width;
                Store(a2, o + xa, Lanes, relu); Store(b2, o + xb, countB, relu); o += width;
                Store(a3, o + xa, Lanes, relu); Store(b3, o + xb, countB, relu);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunEightByOne(float* image, int rowStride, float* weights, float bias, float* output, int height, int width, bool relu)
    {
        var w00 = Vector512.Create(weights[0]); var w01 = Vector512.Create(weights[1]); var w02 = Vector512.Create(weights[2]);
        var w10 = Vector512.Create(weights[3]); var w11 = Vector512.Create(weights[4]); var w12 = Vector512.Create(weights[5]);
        var w20 = Vector512.Create(weights[6]); var w21 = Vector512.Create(weights[7]); var w22 = Vector512.Create(weights[8]);
        var start = Vector512.Create(bias);
        for (var y0 = 0; y0 < height; y0 += 8)
        {
            var y = Math.Min(y0, height - 8);
            var p = image + (long)y * rowStride;
            Vector512<float> a0 = start, a1 = start, a2 = start, a3 = start, a4 = start, a5 = start, a6 = start, a7 = start;

            // Input row y + i feeds output rows i - 2 (ky 2), i - 1 (ky 1) and i (ky 0), those in the tile.
            var l0 = Vector512.Load(p); var l1 = Vector512.Load(p + 1); var l2 = Vector512.Load(p + 2);
            a0 = Row(a0, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            l0 = Vector512.Load(p); l1 = Vector512.Load(p + 1); l2 = Vector512.Load(p + 2);
            a0 = Row(a0, w10, w11, w12, l0, l1, l2); a1 = Row(a1, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            l0 = Vector512.Load(p); l1 = Vector512.Load(p + 1); l2 = Vector512.Load(p + 2);
            a0 = Row(a0, w20, w21, w22, l0, l1, l2); a1 = Row(a1, w10, w11, w12, l0, l1, l2); a2 = Row(a2, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            l0 = Vector512.Load(p); l1 = Vector512.Load(p + 1); l2 = Vector512.Load(p + 2);
            a1 = Row(a1, w20, w21, w22, l0, l1, l2); a2 = Row(a2, w10, w11, w12, l0, l1, l2); a3 = Row(a3, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            l0 = Vector512.Load(p); l1 = Vector512.Load(p + 1); l2 = Vector512.Load(p + 2);
            a2 = Row(a2, w20, w21, w22, l0, l1, l2); a3 = Row(a3, w10, w11, w12, l0, l1, l2); a4 = Row(a4, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            l0 = Vector512.Load(p); l1 = Vector512.Load(p + 1); l2 = Vector512.Load(p + 2);
            a3 = Row(a3, w20, w21, w22, l0, l1, l2); a4 = Row(a4, w10, w11, w12, l0, l1, l2); a5 = Row(a5, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            l0 = Vector512.Load(p); l1 = Vector512.Load(p + 1); l2 = Vector512.Load(p + 2);
            a4 = Row(a4, w20, w21, w22, l0, l1, l2); a5 = Row(a5, w10, w11, w12, l0, l1, l2); a6 = Row(a6, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            l0 = Vector512.Load(p); l1 = Vector512.Load(p + 1); l2 = Vector512.Load(p + 2);
            a5 = Row(a5, w20, w21, w22, l0, l1, l2); a6 = Row(a6, w10, w11, w12, l0, l1, l2); a7 = Row(a7, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            l0 = Vector512.Load(p); l1 = Vector512.Load(p + 1); l2 = Vector512.Load(p + 2);
            a6 = Row(a6, w20, w21, w22, l0, l1, l2); a7 = Row(a7, w10, w11, w12, l0, l1, l2);
            p += rowStride;
            l0 = Vector512.Load(p); l1 = Vector512.Load(p + 1); l2 = Vector512.Load(p + 2);
            a7 = Row(a7, w20, w21, w22, l0, l1, l2);

            var o = output + (long)y * width;
            Store(a0, o, width, relu); o += width;
            Store(a1, o, width, relu); o += width;
            Store(a2, o, width, relu); o += width;
            Store(a3, o, width, relu); o += width;
            Store(a4, o, width, relu); o += width;
            Store(a5, o, width, relu); o += width;
            Store(a6, o, width, relu); o += width;
            Store(a7, o, width, relu);
        }
    }

    /// <summary>acc + w0·l0 + w1·l1 + w2·l2, in that order: one kernel row's three taps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Row(Vector512<float> acc, Vector512<float> w0, Vector512<float> w1, Vector512<float> w2,
        Vector512<float> l0, Vector512<float> l1, Vector512<float> l2) =>
        Avx512F.FusedMultiplyAdd(w2, l2, Avx512F.FusedMultiplyAdd(w1, l1, Avx512F.FusedMultiplyAdd(w0, l0, acc)));

    /// <summary>ReLU if asked, then the first <paramref name="count"/> lanes (1 to 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store(Vector512<float> sum, float* destination, int count, bool relu)
    {
        if (relu) sum = Vector512.Max(sum, Vector512<float>.Zero);
        if (count == Lanes) sum.Store(destination);
        else Avx512F.MaskStore(destination, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle(), sum);
    }
}
