using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>The MR × NR (6 × 16) register tile: C[0..6, 0..16] (+)= Apanel · Bpanel over kc
/// steps. The AVX2 version keeps the 12 accumulators, two B vectors and one broadcast A value
/// in 15 of the 16 ymm registers, so the inner loop is pure loads and FMAs.</summary>
internal static unsafe class GemmMicroKernels
{
    private const int MR = Gemm.MR;
    private const int NR = Gemm.NR;

    /// <summary>True when the FMA tile can run on this machine. AVX-512 machines use it too, for
    /// the rows and columns the 12 × 16 zmm tile (<see cref="GemmMicroKernels512"/>) leaves.</summary>
    public static bool Avx2Available => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>Full tile, AVX2 + FMA. <paramref name="a"/> and <paramref name="b"/> are packed
    /// panels (b 32-byte aligned); c is row-major with leading dimension ldc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileAvx2(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        var c00 = Vector256<float>.Zero; var c01 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero; var c11 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero; var c21 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero; var c31 = Vector256<float>.Zero;
        var c40 = Vector256<float>.Zero; var c41 = Vector256<float>.Zero;
        var c50 = Vector256<float>.Zero; var c51 = Vector256<float>.Zero;

        for (var p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadAlignedVector256(b);
            var b1 = Avx.LoadAlignedVector256(b + 8);
            var av = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);
            a += MR;
            b += NR;
        }

        StoreRow(c, c00, c01, accumulate); c += ldc;
        StoreRow(c, c10, c11, accumulate); c += ldc;
        StoreRow(c, c20, c21, accumulate); c += ldc;
        StoreRow(c, c30, c31, accumulate); c += ldc;
        StoreRow(c, c40, c41, accumulate); c += ldc;
        StoreRow(c, c50, c51, accumulate);
    }

    /// <summary>Full tile, AVX2 + FMA, reading A in place: row i of the tile at rows[i] (row-major,
    /// kc contiguous values each) instead of a packed panel, so a product whose B is packed
    /// beforehand packs nothing at all. Six row streams walk forward together; the hardware
    /// prefetcher follows each. Rows may repeat (an edge tile points its missing rows at a real
    /// one and discards their results).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileAvx2RowsA(int kc, float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, float* b, float* c, int ldc, bool accumulate)
    {
        var c00 = Vector256<float>.Zero; var c01 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero; var c11 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero; var c21 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero; var c31 = Vector256<float>.Zero;
        var c40 = Vector256<float>.Zero; var c41 = Vector256<float>.Zero;
        var c50 = Vector256<float>.Zero; var c51 = Vector256<float>.Zero;

        for (var p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadAlignedVector256(b);
            var b1 = Avx.LoadAlignedVector256(b + 8);
            var av = Avx.BroadcastScalarToVector256(a0 + p);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a1 + p);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a2 + p);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a3 + p);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a4 + p);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a5 + p);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);
            b += NR;
        }

        StoreRow(c, c00, c01, accumulate); c += ldc;
        StoreRow(c, c10, c11, accumulate); c += ldc;
        StoreRow(c, c20, c21, accumulate); c += ldc;
        StoreRow(c, c30, c31, accumulate); c += ldc;
        StoreRow(c, c40, c41, accumulate); c += ldc;
        StoreRow(c, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> lo, Vector256<float> hi, bool accumulate)
    {
        if (accumulate)
        {
            lo = Avx.Add(lo, Avx.LoadVector256(c));
            hi = Avx.Add(hi, Avx.LoadVector256(c + 8));
        }
        Avx.Store(c, lo);
        Avx.Store(c + 8, hi);
    }

    /// <summary>Full tile with portable vectors (any SIMD width dividing 16, or scalar), for
    /// machines without AVX2/FMA. Same contract as <see cref="TileAvx2"/>.</summary>
    public static void TilePortable(int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        var acc = stackalloc float[MR * NR];
        new Span<float>(acc, MR * NR).Clear();
        var width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && NR % width == 0)
        {
            for (var p = 0; p < kc; p++)
            {
                var bp = b + p * NR;
                for (var i = 0; i < MR; i++)
                {
                    var ai = new Vector<float>(a[p * MR + i]);
                    var row = acc + i * NR;
                    for (var j = 0; j < NR; j += width)
                        Vector.Store(Vector.Load(row + j) + ai * Vector.Load(bp + j), row + j);
                }
            }
        }
        else
        {
            for (var p = 0; p < kc; p++)
                for (var i = 0; i < MR; i++)
                {
                    var ai = a[p * MR + i];
                    for (var j = 0; j < NR; j++) acc[i * NR + j] += ai * b[p * NR + j];
                }
        }
        for (var i = 0; i < MR; i++)
            for (var j = 0; j < NR; j++)
                c[(long)i * ldc + j] = accumulate ? c[(long)i * ldc + j] + acc[i * NR + j] : acc[i * NR + j];
    }
}
