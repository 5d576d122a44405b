using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>The pointwise (1×1) convolution's register tiles: R = 6 output channels × 16 (or 8)
/// consecutive pixels of the flattened plane, out[oc][p] = bias[oc] + Σ_ic W[oc][ic]·In[ic][p].
/// Per input channel the wide tile loads 2 input vectors (16 pixels of one channel, the next
/// channel <c>stride</c> floats on) and broadcasts one weight per output channel straight from the
/// weight rows: 2 loads + 6 broadcasts feed 12 FMAs, and the 12 accumulators, 2 inputs and the
/// weight fill 15 of the 16 AVX registers. Bias, residual and ReLU are applied before the one
/// store of each result.</summary>
internal static unsafe class PointwiseConvTile
{
    public const int R = 6;
    public const int Pixels = 16;

    private const int Lanes = 8;

    /// <summary>Output channels [oc0, oc0 + R) (fewer at the end: missing rows repeat the first
    /// and are not stored) × pixels [pixel, pixel + count), count ≤ 16, read from
    /// <paramref name="source"/> (channel ic at <c>source + ic·stride</c>; 16 readable floats each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit] // zeroing the sums buffer is a helper call after the loop: the JIT would then spill every accumulator
    public static void Wide<TFma>(in PointwiseConvProblem p, int oc0, float* source, long stride, int pixel, int count)
        where TFma : struct, IVectorFma
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

        var a00 = Vector256.Create(bias[0]);
        var a10 = Vector256.Create(bias[rows > 1 ? 1 : 0]);
        var a20 = Vector256.Create(bias[rows > 2 ? 2 : 0]);
        var a30 = Vector256.Create(bias[rows > 3 ? 3 : 0]);
        var a40 = Vector256.Create(bias[rows > 4 ? 4 : 0]);
        var a50 = Vector256.Create(bias[rows > 5 ? 5 : 0]);
        Vector256<float> a01 = a00, a11 = a10, a21 = a20, a31 = a30, a41 = a40, a51 = a50;

        var s = source;
        for (var ic = 0; ic < depth; ic++)
        {
            var x0 = Vector256.Load(s);
            var x1 = Vector256.Load(s + Lanes);
            s += stride;
            var w = Vector256.Create(w0[ic]);
            a00 = TFma.MultiplyAdd(w, x0, a00); a01 = TFma.MultiplyAdd(w, x1, a01);
            w = Vector256.Create(w1[ic]);
            a10 = TFma.MultiplyAdd(w, x0, a10); a11 = TFma.MultiplyAdd(w, x1, a11);
            w = Vector256.Create(w2[ic]);
            a20 = TFma.MultiplyAdd(w, x0, a20); a21 = TFma.MultiplyAdd(w, x1, a21);
            w = Vector256.Create(w3[ic]);
            a30 = TFma.MultiplyAdd(w, x0, a30); a31 = TFma.MultiplyAdd(w, x1, a31);
            w = Vector256.Create(w4[ic]);
            a40 = TFma.MultiplyAdd(w, x0, a40); a41 = TFma.MultiplyAdd(w, x1, a41);
            w = Vector256.Create(w5[ic]);
            a50 = TFma.MultiplyAdd(w, x0, a50); a51 = TFma.MultiplyAdd(w, x1, a51);
        }

        // The sums go through memory before the epilogue: a vector live across the epilogue's
        // (rare) calls would make the JIT spill every accumulator on every input channel.
        var sums = stackalloc float[R * 2 * Lanes];
        a00.Store(sums); a01.Store(sums + Lanes);
        a10.Store(sums + 2 * Lanes); a11.Store(sums + 3 * Lanes);
        a20.Store(sums + 4 * Lanes); a21.Store(sums + 5 * Lanes);
        a30.Store(sums + 6 * Lanes); a31.Store(sums + 7 * Lanes);
        a40.Store(sums + 8 * Lanes); a41.Store(sums + 9 * Lanes);
        a50.Store(sums + 10 * Lanes); a51.Store(sums + 11 * Lanes);
        Finish(p, oc0, rows, sums, 2, pixel, count);
    }

    /// <summary><see cref="Wide{TFma}"/> for at most 8 pixels (a plane's tail): 1 load + 6
    /// broadcasts feed 6 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void Narrow<TFma>(in PointwiseConvProblem p, int oc0, float* source, long stride, int pixel, int count)
        where TFma : struct, IVectorFma
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

        var a0 = Vector256.Create(bias[0]);
        var a1 = Vector256.Create(bias[rows > 1 ? 1 : 0]);
        var a2 = Vector256.Create(bias[rows > 2 ? 2 : 0]);
        var a3 = Vector256.Create(bias[rows > 3 ? 3 : 0]);
        var a4 = Vector256.Create(bias[rows > 4 ? 4 : 0]);
        var a5 = Vector256.Create(bias[rows > 5 ? 5 : 0]);

        var s = source;
        for (var ic = 0; ic < depth; ic++)
        {
            var x = Vector256.Load(s);
            s += stride;
            a0 = TFma.MultiplyAdd(Vector256.Create(w0[ic]), x, a0);
            a1 = TFma.MultiplyAdd(Vector256.Create(w1[ic]), x, a1);
            a2 = TFma.MultiplyAdd(Vector256.Create(w2[ic]), x, a2);
            a3 = TFma.MultiplyAdd(Vector256.Create(w3[ic]), x, a3);
            a4 = TFma.MultiplyAdd(Vector256.Create(w4[ic]), x, a4);
            a5 = TFma.MultiplyAdd(Vector256.Create(w5[ic]), x, a5);
        }

        var sums = stackalloc float[R * Lanes];
        a0.Store(sums); a1.Store(sums + Lanes); a2.Store(sums + 2 * Lanes);
        a3.Store(sums + 3 * Lanes); a4.Store(sums + 4 * Lanes); a5.Store(sums + 5 * Lanes);
        Finish(p, oc0, rows, sums, 1, pixel, count);
    }

    /// <summary>Adds the residual, applies ReLU and stores the first <paramref name="rows"/>
    /// channels' sums (<paramref name="vectors"/> vectors each, <paramref name="count"/> pixels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Finish(in PointwiseConvProblem p, int oc0, int rows, float* sums, int vectors, int pixel, int count)
    {
        for (var r = 0; r < rows; r++)
        {
            var at = (long)(oc0 + r) * p.Plane + pixel;
            for (var j = 0; j < vectors; j++)
            {
                var offset = at + j * Lanes;
                ConvEpilogue.Store(Vector256.Load(sums + (r * vectors + j) * Lanes), p.Output + offset,
                    p.Residual == null ? null : p.Residual + offset, Math.Min(Lanes, count - j * Lanes), p.Relu);
            }
        }
    }
}
