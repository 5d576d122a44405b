using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>The pointwise convolution's AVX-512 register tile: R = 6 output channels × 32
/// consecutive pixels, two 16-pixel panels side by side, out[oc][p] = bias[oc] + Σ_ic
/// W[oc][ic]·In[ic][p]. Per input channel it loads one zmm vector from each panel and broadcasts
/// one weight per output channel: 2 loads + 6 broadcasts feed 12 FMAs of 16 lanes, the 12
/// accumulators and 3 operands in 15 of the 32 zmm registers. Same panels (or the image in
/// place), weights and epilogue as <see cref="PointwiseConvTile"/>, whose 16-pixel tiles cover
/// what is left.</summary>
internal static unsafe class PointwiseConvTile512
{
    public const int Pixels = 2 * PointwiseConvTile.Pixels;

    private const int R = PointwiseConvTile.R;
    private const int Lanes = 16;

    /// <summary>Output channels [oc0, oc0 + R) (fewer at the end: missing rows repeat the first and
    /// are not stored) × the 32 pixels from <paramref name="pixel"/>: channel ic of the first 16 at
    /// <c>source + ic·channelStride</c>, of the second 16 <paramref name="second"/> floats on (two
    /// consecutive panels: 16 and the panel size; the image in place: the plane and 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit] // see PointwiseConvTile: no buffer-zeroing helper call after the loop
    public static void Run(in PointwiseConvProblem p, int oc0, float* source, long second, long channelStride, int pixel)
    {
        var rows = Math.Min(R, p.OutChannels - oc0);
        var depth = p.Channels;
        var w0 = p.Weights + (long)oc0 * depth;
        var w1 = rows > 1 ? w0 + depth : w0;
        var w2 = rows > 2 ? w0 + 2L * depth : w0;
        var w3 = rows > 3 ? w0 + 3L * depth : w0;
        var w4 = rows > 4 ? w0 + 4L * depth : w0;
        var w5 = rows > 5 ? w0 + 5L * depth : w0;
        var bias = p.Bias + oc0;

        var a00 = Vector512.Create(bias[0]);
        var a10 = Vector512.Create(bias[rows > 1 ? 1 : 0]);
        var a20 = Vector512.Create(bias[rows > 2 ? 2 : 0]);
        var a30 = Vector512.Create(bias[rows > 3 ? 3 : 0]);
        var a40 = Vector512.Create(bias[rows > 4 ? 4 : 0]);
        var a50 = Vector512.Create(bias[rows > 5 ? 5 : 0]);
        Vector512<float> a01 = a00, a11 = a10, a21 = a20, a31 = a30, a41 = a40, a51 = a50;

        var s = source;
        var s2 = source + second;
        var stride = (nint)channelStride;
        for (var ic = 0; ic < depth; ic++)
        {
            var x0 = Avx512F.LoadVector512(s);
            var x1 = Avx512F.LoadVector512(s2);
            s += stride;
            s2 += stride;
            var w = Vector512.Create(w0[ic]);
            a00 = Avx512F.FusedMultiplyAdd(w, x0, a00); a01 = Avx512F.FusedMultiplyAdd(w, x1, a01);
            w = Vector512.Create(w1[ic]);
            a10 = Avx512F.FusedMultiplyAdd(w, x0, a10); a11 = Avx512F.FusedMultiplyAdd(w, x1, a11);
            w = Vector512.Create(w2[ic]);
            a20 = Avx512F.FusedMultiplyAdd(w, x0, a20); a21 = Avx512F.FusedMultiplyAdd(w, x1, a21);
            w = Vector512.Create(w3[ic]);
            a30 = Avx512F.FusedMultiplyAdd(w, x0, a30); a31 = Avx512F.FusedMultiplyAdd(w, x1, a31);
            w = Vector512.Create(w4[ic]);
            a40 = Avx512F.FusedMultiplyAdd(w, x0, a40); a41 = Avx512F.FusedMultiplyAdd(w, x1, a41);
            w = Vector512.Create(w5[ic]);
            a50 = Avx512F.FusedMultiplyAdd(w, x0, a50); a51 = Avx512F.FusedMultiplyAdd(w, x1, a51);
        }

        // Through memory before the epilogue, as in PointwiseConvTile: rows of 32 sums.
        var sums = stackalloc float[R * Pixels];
        a00.Store(sums); a01.Store(sums + Lanes);
        a10.Store(sums + 2 * Lanes); a11.Store(sums + 3 * Lanes);
        a20.Store(sums + 4 * Lanes); a21.Store(sums + 5 * Lanes);
        a30.Store(sums + 6 * Lanes); a31.Store(sums + 7 * Lanes);
        a40.Store(sums + 8 * Lanes); a41.Store(sums + 9 * Lanes);
        a50.Store(sums + 10 * Lanes); a51.Store(sums + 11 * Lanes);
        PointwiseConvTile.Finish(p, oc0, rows, sums, Pixels / OutputVectors.Lanes, pixel, Pixels);
    }
}
