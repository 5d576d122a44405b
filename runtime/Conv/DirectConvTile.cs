using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>The direct convolution's register tile: R = 4 output channels × V = 3 vectors of 8
/// output pixels, 12 accumulators, over every tap of the kernel. Per tap it loads the 3 input
/// vectors (unaligned, from the phase image) and broadcasts one weight per channel straight from
/// the unpacked weight rows: 3 loads + 4 broadcasts feed 12 FMAs, and the 12 accumulators, 3
/// inputs and the weight fill the 16 AVX registers. Bias, residual and ReLU are applied before the
/// one store of each result.</summary>
internal static unsafe class DirectConvTile
{
    public const int R = 4;
    public const int V = 3;

    private const int Lanes = 8;

    /// <summary>Output channels [oc0, oc0 + R) (fewer at the end: missing rows repeat the
    /// first and are not stored) × the vectors of tile <paramref name="tile"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit] // zeroing the sums buffer is a helper call after the loop: the JIT would then spill every accumulator on every tap
    public static void Run<TFma>(in DirectConvProblem p, int oc0, int tile) where TFma : struct, IVectorFma
    {
        var rows = Math.Min(R, p.OutChannels - oc0);
        var depth = p.Depth;
        var w0 = p.Weights + (long)oc0 * depth;
        var w1 = rows > 1 ? w0 + depth : w0;
        var w2 = rows > 2 ? w0 + 2L * depth : w0;
        var w3 = rows > 3 ? w0 + 3L * depth : w0;
        var v = tile * V;
        var s0 = p.Image + p.VectorBase[v];
        var s1 = p.Image + p.VectorBase[v + 1];
        var s2 = p.Image + p.VectorBase[v + 2];
        var offsets = p.Offsets;

        var a00 = Vector256.Create(p.Bias[oc0]);
        var a10 = Vector256.Create(p.Bias[oc0 + (rows > 1 ? 1 : 0)]);
        var a20 = Vector256.Create(p.Bias[oc0 + (rows > 2 ? 2 : 0)]);
        var a30 = Vector256.Create(p.Bias[oc0 + (rows > 3 ? 3 : 0)]);
        Vector256<float> a01 = a00, a02 = a00, a11 = a10, a12 = a10, a21 = a20, a22 = a20, a31 = a30, a32 = a30;

        for (var q = 0; q < depth; q++)
        {
            var o = offsets[q];
            var x0 = Vector256.Load(s0 + o);
            var x1 = Vector256.Load(s1 + o);
            var x2 = Vector256.Load(s2 + o);
            var w = Vector256.Create(w0[q]);
            a00 = TFma.MultiplyAdd(w, x0, a00); a01 = TFma.MultiplyAdd(w, x1, a01); a02 = TFma.MultiplyAdd(w, x2, a02);
            w = Vector256.Create(w1[q]);
            a10 = TFma.MultiplyAdd(w, x0, a10); a11 = TFma.MultiplyAdd(w, x1, a11); a12 = TFma.MultiplyAdd(w, x2, a12);
            w = Vector256.Create(w2[q]);
            a20 = TFma.MultiplyAdd(w, x0, a20); a21 = TFma.MultiplyAdd(w, x1, a21); a22 = TFma.MultiplyAdd(w, x2, a22);
            w = Vector256.Create(w3[q]);
            a30 = TFma.MultiplyAdd(w, x0, a30); a31 = TFma.MultiplyAdd(w, x1, a31); a32 = TFma.MultiplyAdd(w, x2, a32);
        }

        // The sums go through memory before the epilogue: a vector live across the epilogue's
        // (rare) calls would make the JIT spill every accumulator on every tap.
        var sums = stackalloc float[R * V * Lanes];
        a00.Store(sums); a01.Store(sums + Lanes); a02.Store(sums + 2 * Lanes);
        a10.Store(sums + 3 * Lanes); a11.Store(sums + 4 * Lanes); a12.Store(sums + 5 * Lanes);
        a20.Store(sums + 6 * Lanes); a21.Store(sums + 7 * Lanes); a22.Store(sums + 8 * Lanes);
        a30.Store(sums + 9 * Lanes); a31.Store(sums + 10 * Lanes); a32.Store(sums + 11 * Lanes);
        for (var r = 0; r < rows; r++)
        {
            var channel = (long)(oc0 + r) * p.Plane;
            for (var j = 0; j < V; j++)
            {
                var at = channel + p.VectorOutput[v + j];
                ConvEpilogue.Store(Vector256.Load(sums + (r * V + j) * Lanes), p.Output + at,
                    p.Residual == null ? null : p.Residual + at, p.VectorCount[v + j], p.Relu);
            }
        }
    }
}
