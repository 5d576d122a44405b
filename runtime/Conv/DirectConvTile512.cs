using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>The direct convolution's AVX-512 register tile: R = 4 output channels × V = 4 vectors
/// of 16 output pixels, 16 zmm accumulators, over one range of taps. Per tap it loads the 4 input
/// vectors from the phase image and broadcasts one weight per channel: 4 loads + 4 broadcasts feed
/// 16 FMAs of 16 lanes, which on a core that splits a zmm FMA in two 256-bit halves is the work of
/// 32 ymm FMAs in under half the instructions of <see cref="DirectConvTile"/> (3 loads + 4
/// broadcasts per 12 ymm FMAs), with 21 of the 32 registers. Same phase image, tap offsets,
/// weights (packed [block][tap][4] or the rows as stored), partial sums and epilogue as
/// <see cref="DirectConvTile"/>; the output vectors are 16 pixels of one row
/// (<see cref="OutputVectors"/> with 16 lanes), so it runs where rows are wider than 8.</summary>
internal static unsafe class DirectConvTile512
{
    public const int R = DirectConvTile.R;
    public const int V = 4;
    public const int Lanes = 16;

    /// <summary>Floats of partial sums one tile keeps between tap ranges.</summary>
    public const int SumFloats = R * V * Lanes;

    /// <summary>Output channels [oc0, oc0 + R) (fewer at the end: missing rows repeat the first
    /// and are not stored) × the vectors of tile <paramref name="tile"/>, over taps [q0, q1);
    /// as <see cref="DirectConvTile.Run{TFma}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in DirectConvProblem p, int oc0, int tile, int q0, int q1, float* sums, bool first, bool last)
    {
        var rows = Math.Min(R, p.OutChannels - oc0);
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
        var s3 = p.Image + p.VectorBase[v + 3];

        Vector512<float> a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        if (first)
        {
            a00 = Vector512.Create(p.Bias[oc0]);
            a10 = Vector512.Create(p.Bias[oc0 + (rows > 1 ? 1 : 0)]);
            a20 = Vector512.Create(p.Bias[oc0 + (rows > 2 ? 2 : 0)]);
            a30 = Vector512.Create(p.Bias[oc0 + (rows > 3 ? 3 : 0)]);
            a01 = a00; a02 = a00; a03 = a00; a11 = a10; a12 = a10; a13 = a10;
            a21 = a20; a22 = a20; a23 = a20; a31 = a30; a32 = a30; a33 = a30;
        }
        else
        {
            a00 = Vector512.Load(sums); a01 = Vector512.Load(sums + Lanes); a02 = Vector512.Load(sums + 2 * Lanes); a03 = Vector512.Load(sums + 3 * Lanes);
            a10 = Vector512.Load(sums + 4 * Lanes); a11 = Vector512.Load(sums + 5 * Lanes); a12 = Vector512.Load(sums + 6 * Lanes); a13 = Vector512.Load(sums + 7 * Lanes);
            a20 = Vector512.Load(sums + 8 * Lanes); a21 = Vector512.Load(sums + 9 * Lanes); a22 = Vector512.Load(sums + 10 * Lanes); a23 = Vector512.Load(sums + 11 * Lanes);
            a30 = Vector512.Load(sums + 12 * Lanes); a31 = Vector512.Load(sums + 13 * Lanes); a32 = Vector512.Load(sums + 14 * Lanes); a33 = Vector512.Load(sums + 15 * Lanes);
        }

        var offsets = p.Offsets + q0;
        var end = p.Offsets + q1;
        for (; offsets < end; offsets++, w += step)
        {
            var o = *offsets;
            var x0 = Vector512.Load(s0 + o);
            var x1 = Vector512.Load(s1 + o);
            var x2 = Vector512.Load(s2 + o);
            var x3 = Vector512.Load(s3 + o);
            var c = Vector512.Create(w[0]);
            a00 = Avx512F.FusedMultiplyAdd(c, x0, a00); a01 = Avx512F.FusedMultiplyAdd(c, x1, a01);
            a02 = Avx512F.FusedMultiplyAdd(c, x2, a02); a03 = Avx512F.FusedMultiplyAdd(c, x3, a03);
            c = Vector512.Create(w[r1]);
            a10 = Avx512F.FusedMultiplyAdd(c, x0, a10); a11 = Avx512F.FusedMultiplyAdd(c, x1, a11);
            a12 = Avx512F.FusedMultiplyAdd(c, x2, a12); a13 = Avx512F.FusedMultiplyAdd(c, x3, a13);
            c = Vector512.Create(w[r2]);
            a20 = Avx512F.FusedMultiplyAdd(c, x0, a20); a21 = Avx512F.FusedMultiplyAdd(c, x1, a21);
            a22 = Avx512F.FusedMultiplyAdd(c, x2, a22); a23 = Avx512F.FusedMultiplyAdd(c, x3, a23);
            c = Vector512.Create(w[r3]);
            a30 = Avx512F.FusedMultiplyAdd(c, x0, a30); a31 = Avx512F.FusedMultiplyAdd(c, x1, a31);
            a32 = Avx512F.FusedMultiplyAdd(c, x2, a32); a33 = Avx512F.FusedMultiplyAdd(c, x3, a33);
        }

        // Through memory before the epilogue, as in DirectConvTile.
        a00.Store(sums); a01.Store(sums + Lanes); a02.Store(sums + 2 * Lanes); a03.Store(sums + 3 * Lanes);
        a10.Store(sums + 4 * Lanes); a11.Store(sums + 5 * Lanes); a12.Store(sums + 6 * Lanes); a13.Store(sums + 7 * Lanes);
        a20.Store(sums + 8 * Lanes); a21.Store(sums + 9 * Lanes); a22.Store(sums + 10 * Lanes); a23.Store(sums + 11 * Lanes);
        a30.Store(sums + 12 * Lanes); a31.Store(sums + 13 * Lanes); a32.Store(sums + 14 * Lanes); a33.Store(sums + 15 * Lanes);
        if (last) Finish(p, oc0, rows, v, sums);
    }

    /// <summary>Bias is in the sums already; residual, ReLU and the (possibly partial) stores, each
    /// 16-pixel vector as two halves of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish(in DirectConvProblem p, int oc0, int rows, int v, float* sums)
    {
        const int half = Lanes / 2;
        for (var r = 0; r < rows; r++)
        {
            var channel = (long)(oc0 + r) * p.Plane;
            for (var j = 0; j < V; j++)
            {
                var at = channel + p.VectorOutput[v + j];
                var count = p.VectorCount[v + j];
                var sum = sums + (r * V + j) * Lanes;
                var residual = p.Residual == null ? null : p.Residual + at;
                ConvEpilogue.Store(Vector256.Load(sum), p.Output + at, residual, Math.Min(half, count), p.Relu);
                if (count > half)
                    ConvEpilogue.Store(Vector256.Load(sum + half), p.Output + at + half, residual == null ? null : residual + half, count - half, p.Relu);
            }
        }
    }
}
