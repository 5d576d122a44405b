using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>A 3×3, stride-2 depthwise plane on zmm registers, read from the zero-padded image
/// itself (unit-stride layout) rather than from its four stride phases: the three taps of a kernel
/// row for 16 outputs are the even, odd and next even columns of 34 consecutive padded floats, cut
/// in registers by two-source permutes, and each padded row that holds taps of two output rows
/// (the second tap row of one is the first of the next) is loaded and cut once for both. Copying
/// a channel into its phases cost more than the convolution; the padded copy is a plain row copy.
/// Sums go in the order of the one-vector tiles of <see cref="DepthwiseConvProblem"/>.</summary>
/// <remarks>Tiles, the moved-back last blocks and the masked row ends are those of
/// <see cref="DepthwiseRowTile512"/>.</remarks>
internal static unsafe class DepthwiseStride2RowTile512
{
    private const int Lanes = 16;

    /// <summary>Output (y, x) under tap (ky, kx) reads padded (2y + ky, 2x + kx) at
    /// image[(2y + ky)·rowStride + 2x + kx].</summary>
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
        var even = Vector512<int>.Indices * 2;
        var odd = even + Vector512<int>.One;
        var start = Vector512.Create(bias);
        var vectors = (width + Lanes - 1) / Lanes;
        for (var y0 = 0; y0 < height; y0 += 4)
        {
            var y = Math.Min(y0, height - 4);
            for (var v = 0; v < vectors; v += 2)
            {
                var xa = Math.Min(v, vectors - 2) * Lanes;
                var xb = xa + Lanes;
                var p = image + 2L * y * rowStride;
                Vector512<float> a0 = start, b0 = start, a1 = start, b1 = start, a2 = start, b2 = start, a3 = start, b3 = start;

                // Padded row 2y + k holds tap row k − 2r of output row r.
                Cut(p + 2 * xa, even, odd, out var la0, out var la1, out var la2);
                Cut(p + 2 * xb, even, odd, out var lb0, out var lb1, out var lb2);
                a0 = DepthwiseRowTile512.Row(a0, w00, w01, w02, la0, la1, la2); b0 = DepthwiseRowTile512.Row(b0, w00, w01, w02, lb0, lb1, lb2);
                p += rowStride;
                Cut(p + 2 * xa, even, odd, out la0, out la1, out la2);
                Cut(p + 2 * xb, even, odd, out lb0, out lb1, out lb2);
                a0 = DepthwiseRowTile512.Row(a0, w10, w11, w12, la0, la1, la2); b0 = DepthwiseRowTile512.Row(b0, w10, w11, w12, lb0, lb1, lb2);
                p += rowStride;
                Cut(p + 2 * xa, even, odd, out la0, out la1, out la2);
                Cut(p + 2 * xb, even, odd, out lb0, out lb1, out lb2);
                a0 = DepthwiseRowTile512.Row(a0, w20, w21, w22, la0, la1, la2); b0 = DepthwiseRowTile512.Row(b0, w20, w21, w22, lb0, lb1, lb2);
                a1 = DepthwiseRowTile512.Row(a1, w00, w01, w02, la0, la1, la2); b1 = DepthwiseRowTile512.Row(b1, w00, w01, w02, lb0, lb1, lb2);
                p += rowStride;
                Cut(p + 2 * xa, even, odd, out la0, out la1, out la2);
                Cut(p + 2 * xb, even, odd, out lb0, out lb1, out lb2);
                a1 = DepthwiseRowTile512.Row(a1, w10, w11, w12, la0, la1, la2); b1 = DepthwiseRowTile512.Row(b1, w10, w11, w12, lb0, lb1, lb2);
                p += rowStride;
                Cut(p + 2 * xa, even, odd, out la0, out la1, out la2);
                Cut(p + 2 * xb, even, odd, out lb0, out lb1, out lb2);
                a1 = DepthwiseRowTile512.Row(a1, w20, w21, w22, la0, la1, la2); b1 = DepthwiseRowTile512.Row(b1, w20, w21, w22, lb0, lb1, lb2);
                a2 = DepthwiseRowTile512.Row(a2, w00, w01, w02, la0, la1, la2); b2 = DepthwiseRowTile512.Row(b2, w00, w01, w02, lb0, lb1, lb2);
                p += rowStride;
                Cut(p + 2 * xa, even, odd, out la0, out la1, out la2);
                Cut(p + 2 * xb, even, odd, out lb0, out lb1, out lb2);
                a2 = DepthwiseRowTile512.Row(a2, w10, w11, w12, la0, la1, la2); b2 = DepthwiseRowTile512.Row(b2, w10, w11, w12, lb0, lb1, lb2);
                p += rowStride;
                Cut(p + 2 * xa, even, odd, out la0, out la1, out la2);
                Cut(p + 2 * xb, even, odd, out lb0, out lb1, out lb2);
                a2 = DepthwiseRowTile512.Row(a2, w20, w21, w22, la0, la1, la2); b2 = DepthwiseRowTile512.Row(b2, w20, w21, w22, lb0, lb1, lb2);
                a3 = DepthwiseRowTile512.Row(a3, w00, w01, w02, la0, la1, la2); b3 = DepthwiseRowTile512.Row(b3, w00, w01, w02, lb0, lb1, lb2);
                p += rowStride;
                Cut(p + 2 * xa, even, odd, out la0, out la1, out la2);
                Cut(p + 2 * xb, even, odd, out lb0, out lb1, out lb2);
                a3 = DepthwiseRowTile512.Row(a3, w10, w11, w12, la0, la1, la2); b3 = DepthwiseRowTile512.Row(b3, w10, w11, w12, lb0, lb1, lb2);
                p += rowStride;
                Cut(p + 2 * xa, even, odd, out la0, out la1, out la2);
                Cut(p + 2 * xb, even, odd, out lb0, out lb1, out lb2);
                a3 = DepthwiseRowTile512.Row(a3, w20, w21, w22, la0, la1, la2); b3 = DepthwiseRowTile512.Row(b3, w20, w21, w22, lb0, lb1, lb2);

                var o = output + (long)y * width;
                var countB = Math.Min(Lanes, width - xb);
                DepthwiseRowTile512.Store(a0, o + xa, Lanes, relu); DepthwiseRowTile512.Store(b0, o + xb, countB, relu); o += width;
                DepthwiseRowTile512.Store(a1, o + xa, Lanes, relu); DepthwiseRowTile512.Store(b1, o + xb, countB, relu); o += width;
                DepthwiseRowTile512.Store(a2, o + xa, Lanes, relu); DepthwiseRowTile512.Store(b2, o + xb, countB, relu); o += width;
                DepthwiseRowTile512.Store(a3, o + xa, Lanes, relu); DepthwiseRowTile512.Store(b3, o + xb, countB, relu);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunEightByOne(float* image, int rowStride, float* weights, float bias, float* output, int height, int width, bool relu)
    {
        var w00 = Vector512.Create(weights[0]); var w01 = Vector512.Create(weights[1]); var w02 = Vector512.Create(weights[2]);
        var w10 = Vector512.Create(weights[3]); var w11 = Vector512.Create(weights[4]); var w12 = Vector512.Create(weights[5]);
        var w20 = Vector512.Create(weights[6]); var w21 = Vector512.Create(weights[7]); var w22 = Vector512.Create(weights[8]);
        var even = Vector512<int>.Indices * 2;
        var odd = even + Vector512<int>.One;
        var start = Vector512.Create(bias);
        for (var y0 = 0; y0 < height; y0 += 8)
        {
            var y = Math.Min(y0, height - 8);
            var p = image + 2L * y * rowStride;
            Vector512<float> a0 = start, a1 = start, a2 = start, a3 = start, a4 = start, a5 = start, a6 = start, a7 = start;

            // Padded row 2y + k: tap row 0 of output row k / 2 when k is even, and tap row 2 of the row
            // before it; tap row 1 of output row (k − 1) / 2 when k is odd.
            Cut(p, even, odd, out var l0, out var l1, out var l2);
            a0 = DepthwiseRowTile512.Row(a0, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a0 = DepthwiseRowTile512.Row(a0, w10, w11, w12, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a0 = DepthwiseRowTile512.Row(a0, w20, w21, w22, l0, l1, l2); a1 = DepthwiseRowTile512.Row(a1, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a1 = DepthwiseRowTile512.Row(a1, w10, w11, w12, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a1 = DepthwiseRowTile512.Row(a1, w20, w21, w22, l0, l1, l2); a2 = DepthwiseRowTile512.Row(a2, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a2 = DepthwiseRowTile512.Row(a2, w10, w11, w12, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a2 = DepthwiseRowTile512.Row(a2, w20, w21, w22, l0, l1, l2); a3 = DepthwiseRowTile512.Row(a3, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a3 = DepthwiseRowTile512.Row(a3, w10, w11, w12, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a3 = DepthwiseRowTile512.Row(a3, w20, w21, w22, l0, l1, l2); a4 = DepthwiseRowTile512.Row(a4, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a4 = DepthwiseRowTile512.Row(a4, w10, w11, w12, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a4 = DepthwiseRowTile512.Row(a4, w20, w21, w22, l0, l1, l2); a5 = DepthwiseRowTile512.Row(a5, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a5 = DepthwiseRowTile512.Row(a5, w10, w11, w12, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a5 = DepthwiseRowTile512.Row(a5, w20, w21, w22, l0, l1, l2); a6 = DepthwiseRowTile512.Row(a6, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a6 = DepthwiseRowTile512.Row(a6, w10, w11, w12, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a6 = DepthwiseRowTile512.Row(a6, w20, w21, w22, l0, l1, l2); a7 = DepthwiseRowTile512.Row(a7, w00, w01, w02, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a7 = DepthwiseRowTile512.Row(a7, w10, w11, w12, l0, l1, l2);
            p += rowStride;
            Cut(p, even, odd, out l0, out l1, out l2);
            a7 = DepthwiseRowTile512.Row(a7, w20, w21, w22, l0, l1, l2);

            var o = output + (long)y * width;
            DepthwiseRowTile512.Store(a0, o, width, relu); o += width;
            DepthwiseRowTile512.Store(a1, o, width, relu); o += width;
            DepthwiseRowTile512.Store(a2, o, width, relu); o += width;
            DepthwiseRowTile512.Store(a3, o, width, relu); o += width;
            DepthwiseRowTile512.Store(a4, o, width, relu); o += width;
            DepthwiseRowTile512.Store(a5, o, width, relu); o += width;
            DepthwiseRowTile512.Store(a6, o, width, relu); o += width;
            DepthwiseRowTile512.Store(a7, o, width, relu);
        }
    }

    /// <summary>The three taps of one kernel row for 16 outputs from the padded floats at
    /// <paramref name="at"/> (column 2x): columns 2x + 2j (tap 0), 2x + 2j + 1 (tap 1), 2x + 2j + 2 (tap 2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Cut(float* at, Vector512<int> even, Vector512<int> odd,
        out Vector512<float> tap0, out Vector512<float> tap1, out Vector512<float> tap2)
    {
        var low = Vector512.Load(at);
        var high = Vector512.Load(at + Lanes);
        tap0 = Avx512F.PermuteVar16x32x2(low, even, high);
        tap1 = Avx512F.PermuteVar16x32x2(low, odd, high);
        tap2 = Avx512F.PermuteVar16x32x2(Vector512.Load(at + 2), even, Vector512.Load(at + 2 + Lanes));
    }
}
