using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>The direct convolution's register tile: R = 4 output channels × V = 3 vectors of 8
/// output pixels, 12 accumulators, over one range of taps. Per tap it loads the 3 input vectors
/// (unaligned, from the phase image) and broadcasts one weight per channel: 3 loads + 4
/// broadcasts feed 12 FMAs, and the 12 accumulators, 3 inputs and the weight fill the 16 AVX
/// registers. The first range of taps starts from the bias, later ones from the partial sums the
/// previous range left in <c>sums</c>; the last applies bias, residual and ReLU before the one
/// store of each result.</summary>
internal static unsafe class DirectConvTile
{
    public const int R = 4;
    public const int V = 3;

    /// <summary>Floats of partial sums one tile keeps between tap ranges.</summary>
    public const int SumFloats = R * V * Lanes;

    private const int Lanes = 8;

    /// <summary>Output channels [oc0, oc0 + R) (fewer at the end: missing rows repeat the first
    /// and are not stored) × the vectors of tile <paramref name="tile"/>, over taps [q0, q1).
    /// <paramref name="sums"/> (<see cref="SumFloats"/> floats) carries the partial sums from one
    /// range to the next.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TFma>(in DirectConvProblem p, int oc0, int tile, int q0, int q1, float* sums, bool first, bool last)
        where TFma : struct, IVectorFma
    {
        var rows = Math.Min(R, p.OutChannels - oc0);
        // Packed weights: [block][tap][R], one cache line holds the 4 weights of 4 taps. Unpacked:
        // the rows of [out, Depth], each weight from another row.
        float* w;
        nint step, r1, r2, r3;
        if (p.PackedWeights != null)
        {
            w = p.PackedWeights + ((long)oc0 * p.Depth + (long)q0 * R);
            step = R; r1 = 1; r2 = 2; r3 = 3;
        }
        else
        {
            w = p.Weights + (long)oc0 * p.Depth + q0;
            step = 1;
            r1 = rows > 1 ? p.Depth : 0;
            r2 = rows > 2 ? 2 * (nint)p.Depth : 0;
            r3 = rows > 3 ? 3 * (nint)p.Depth : 0;
        }
        var v = tile * V;
        var s0 = p.Image + p.VectorBase[v];
        var s1 = p.Image + p.VectorBase[v + 1];
        var s2 = p.Image + p.VectorBase[v + 2];

        Vector256<float> a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32;
        if (first)
        {
            a00 = Vector256.Create(p.Bias[oc0]);
            a10 = Vector256.Create(p.Bias[oc0 + (rows > 1 ? 1 : 0)]);
            a20 = Vector256.Create(p.Bias[oc0 + (rows > 2 ? 2 : 0)]);
            a30 = Vector256.Create(p.Bias[oc0 + (rows > 3 ? 3 : 0)]);
            a01 = a00; a02 = a00; a11 = a10; a12 = a10; a21 = a20; a22 = a20; a31 = a30; a32 = a30;
        }
        else
        {
            a00 = Vector256.Load(sums); a01 = Vector256.Load(sums + Lanes); a02 = Vector256.Load(sums + 2 * Lanes);
            a10 = Vector256.Load(sums + 3 * Lanes); a11 = Vector256.Load(sums + 4 * Lanes); a12 = Vector256.Load(sums + 5 * Lanes);
            a20 = Vector256.Load(sums + 6 * Lanes); a21 = Vector256.Load(sums + 7 * Lanes); a22 = Vector256.Load(sums + 8 * Lanes);
            a30 = Vector256.Load(sums + 9 * Lanes); a31 = Vector256.Load(sums + 10 * Lanes); a32 = Vector256.Load(sums + 11 * Lanes);
        }

        var offsets = p.Offsets + q0;
        var end = p.Offsets + q1;
        for (; offsets < end; offsets++, w += step)
        {
            var o = *offsets;
            var x0 = Vector256.Load(s0 + o);
            var x1 = Vector256.Load(s1 + o);
            var x2 = Vector256.Load(s2 + o);
            var c = Vector256.Create(w[0]);
            a00 = TFma.MultiplyAdd(c, x0, a00); a01 = TFma.MultiplyAdd(c, x1, a01); a02 = TFma.MultiplyAdd(c, x2, a02);
            c = Vector256.Create(w[r1]);
            a10 = TFma.MultiplyAdd(c, x0, a10); a11 = TFma.MultiplyAdd(c, x1, a11); a12 = TFma.MultiplyAdd(c, x2, a12);
            c = Vector256.Create(w[r2]);
            a20 = TFma.MultiplyAdd(c, x0, a20); a21 = TFma.MultiplyAdd(c, x1, a21); a22 = TFma.MultiplyAdd(c, x2, a22);
            c = Vector256.Create(w[r3]);
            a30 = TFma.MultiplyAdd(c, x0, a30); a31 = TFma.MultiplyAdd(c, x1, a31); a32 = TFma.MultiplyAdd(c, x2, a32);
        }

        // The sums go through memory before the epilogue: a vector live across the epilogue's
        // (rare) calls would make the JIT spill every accumulator on every tap.
        a00.Store(sums); a01.Store(sums + Lanes); a02.Store(sums + 2 * Lanes);
        a10.Store(sums + 3 * Lanes); a11.Store(sums + 4 * Lanes); a12.Store(sums + 5 * Lanes);
        a20.Store(sums + 6 * Lanes); a21.Store(sums + 7 * Lanes); a22.Store(sums + 8 * Lanes);
        a30.Store(sums + 9 * Lanes); a31.Store(sums + 10 * Lanes); a32.Store(sums + 11 * Lanes);
        if (last) Finish(p, oc0, rows, v, sums);
    }

    /// <summary>Bias is in the sums already; residual, ReLU and the (possibly partial) stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish(in DirectConvProblem p, int oc0, int rows, int v, float* sums)
    {
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
