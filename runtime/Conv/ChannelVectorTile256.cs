using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>The AVX2 register tiles of <see cref="ChannelVectorConv"/>: the tile of
/// <see cref="ChannelVectorTile"/> (16 output channels × up to 16 pixels of the same packed weights
/// and padded images) in passes of 6 or 4 pixels (<see cref="ITilePass"/>), each pixel's 16
/// channels in two ymm accumulators. A pass of 6 keeps 12 accumulators, the tap's two weight
/// vectors and one broadcast input in 15 of the 16 ymm registers, and per tap loads 2 aligned
/// weight vectors and broadcasts 6 inputs for 12 FMAs, the ratio of the GEMM's 6 × 16 tile; no
/// load crosses a cache line. Each sum adds its taps in the order of
/// <see cref="ChannelVectorTile.Run{TStride}"/>, so both paths give the same floats. A pass leaves
/// its sums in the tile's stack block [pixel][16 channels], from which the next channel range of a
/// deep layer continues; the last range turns them to rows of pixels per channel and stores them,
/// residual and ReLU applied.</summary>
internal static unsafe class ChannelVectorTile256
{
    /// <summary>Floats of one tile's sums: 16 pixels × 16 channels.</summary>
    public const int SumFloats = ChannelVectorTile.Pixels * Channels;

    private const int Channels = ChannelVectorTile.Channels;

    /// <summary>Output channels [16·block, 16·block + 16) × the pixels of tile <paramref name="tile"/>
    /// over input channels [<paramref name="c0"/>, <paramref name="c1"/>): from the bias when c0 is 0,
    /// else from <paramref name="sums"/> (<see cref="SumFloats"/> floats, 32-byte aligned), where it
    /// leaves them unless c1 is the last channel, which stores the output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in ChannelVectorProblem p, float* image, float* residual, float* output, int block, int tile, int c0, int c1, float* sums)
    {
        var (first, count, offset, nextRow) = ChannelVectorTile.Place(p, tile, p.Stride);
        var start = image + offset;
        if (p.Stride == 2) Passes<DoubleStride>(p, start, nextRow, block, count, c0, c1, sums);
        else Passes<UnitStride>(p, start, nextRow, block, count, c0, c1, sums);
        if (c1 == p.InChannels) Store(p, sums, residual, output, block, first, count);
    }

    /// <summary>The passes that cover the tile's <paramref name="count"/> pixels (a row's last tile
    /// skips the passes wholly past its end; the rest read past it, as the AVX-512 tile does).</summary>
    private static void Passes<TStride>(in ChannelVectorProblem p, float* start, nint nextRow, int block, int count, int c0, int c1, float* sums)
        where TStride : struct, IConvStride
    {
        Pass<TStride, SixFrom0>(p, start, nextRow, block, c0, c1, sums);
        if (p.TilePixels == 14)
        {
            if (count > 6) Pass<TStride, FourFrom6>(p, start, nextRow, block, c0, c1, sums);
            if (count > 10) Pass<TStride, FourFrom10>(p, start, nextRow, block, c0, c1, sums);
            return;
        }
        if (count > 6) Pass<TStride, SixFrom6>(p, start, nextRow, block, c0, c1, sums);
        if (count > 12) Pass<TStride, FourFrom12>(p, start, nextRow, block, c0, c1, sums);
    }

    /// <summary>Pixels [First, First + Count) of the tile whose pixel 0 reads at
    /// <paramref name="start"/> (tap 0, channel 0). Pixels 8..15 read from the row
    /// <paramref name="nextRow"/> further on: the same row, or the next one on 8-wide planes.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass<TStride, TPass>(in ChannelVectorProblem p, float* start, nint nextRow, int block, int c0, int c1, float* sums)
        where TStride : struct, IConvStride
        where TPass : struct, ITilePass
    {
        var s = TStride.Step;
        var f = TPass.First;
        var six = TPass.Count == 6;
        var at = sums + f * Channels;
        Vector256<float> a0, b0, a1, b1, a2, b2, a3, b3, a4 = default, b4 = default, a5 = default, b5 = default;
        if (c0 == 0)
        {
            var lo = Vector256.Load(p.Bias + block * Channels);
            var hi = Vector256.Load(p.Bias + block * Channels + 8);
            a0 = lo; a1 = lo; a2 = lo; a3 = lo; b0 = hi; b1 = hi; b2 = hi; b3 = hi;
            if (six)
            {
                a4 = lo; a5 = lo; b4 = hi; b5 = hi;
            }
        }
        else
        {
            a0 = Avx.LoadAlignedVector256(at); b0 = Avx.LoadAlignedVector256(at + 8);
            a1 = Avx.LoadAlignedVector256(at + 16); b1 = Avx.LoadAlignedVector256(at + 24);
            a2 = Avx.LoadAlignedVector256(at + 32); b2 = Avx.LoadAlignedVector256(at + 40);
            a3 = Avx.LoadAlignedVector256(at + 48); b3 = Avx.LoadAlignedVector256(at + 56);
            if (six)
            {
                a4 = Avx.LoadAlignedVector256(at + 64); b4 = Avx.LoadAlignedVector256(at + 72);
                a5 = Avx.LoadAlignedVector256(at + 80); b5 = Avx.LoadAlignedVector256(at + 88);
            }
        }

        int kh = p.KernelHeight, kw = p.KernelWidth;
        var w = p.Weights + (long)block * p.Depth * Channels + (long)c0 * kh * kw * Channels;
        for (var c = c0; c < c1; c++)
        {
            var plane = start + (long)c * p.ChannelSize;
            for (var ky = 0; ky < kh; ky++)
            {
                // Which of the two rows a pixel reads is a constant of the instance: before 8 from r0.
                var r0 = plane + ky * p.RowStride;
                var r1 = r0 + nextRow;
                for (var kx = 0; kx < kw; kx++, r0++, r1++, w += Channels)
                {
                    var lo = Avx.LoadAlignedVector256(w);
                    var hi = Avx.LoadAlignedVector256(w + 8);
                    var x = Vector256.Create((f < 8 ? r0 : r1)[f * s]); a0 = Fma.MultiplyAdd(lo, x, a0); b0 = Fma.MultiplyAdd(hi, x, b0);
                    x = Vector256.Create((f + 1 < 8 ? r0 : r1)[(f + 1) * s]); a1 = Fma.MultiplyAdd(lo, x, a1); b1 = Fma.MultiplyAdd(hi, x, b1);
                    x = Vector256.Create((f + 2 < 8 ? r0 : r1)[(f + 2) * s]); a2 = Fma.MultiplyAdd(lo, x, a2); b2 = Fma.MultiplyAdd(hi, x, b2);
                    x = Vector256.Create((f + 3 < 8 ? r0 : r1)[(f + 3) * s]); a3 = Fma.MultiplyAdd(lo, x, a3); b3 = Fma.MultiplyAdd(hi, x, b3);
                    if (six)
                    {
                        x = Vector256.Create((f + 4 < 8 ? r0 : r1)[(f + 4) * s]); a4 = Fma.MultiplyAdd(lo, x, a4); b4 = Fma.MultiplyAdd(hi, x, b4);
                        x = Vector256.Create((f + 5 < 8 ? r0 : r1)[(f + 5) * s]); a5 = Fma.MultiplyAdd(lo, x, a5); b5 = Fma.MultiplyAdd(hi, x, b5);
                    }
                }
            }
        }

        Avx.StoreAligned(at, a0); Avx.StoreAligned(at + 8, b0);
        Avx.StoreAligned(at + 16, a1); Avx.StoreAligned(at + 24, b1);
        Avx.StoreAligned(at + 32, a2); Avx.StoreAligned(at + 40, b2);
        Avx.StoreAligned(at + 48, a3); Avx.StoreAligned(at + 56, b3);
        if (six)
        {
            Avx.StoreAligned(at + 64, a4); Avx.StoreAligned(at + 72, b4);
            Avx.StoreAligned(at + 80, a5); Avx.StoreAligned(at + 88, b5);
        }
    }

    /// <summary>Stores the tile's sums ([pixel][16 channels]) as rows of pixels per channel: each
    /// quarter (8 pixels × 8 channels) transposed in registers, a row's last tile storing only its
    /// <paramref name="count"/> pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store(in ChannelVectorProblem p, float* sums, float* residual, float* output, int block, int first, int count)
    {
        for (var half = 0; half < 2; half++)
        {
            var pixels = Math.Min(8, count - 8 * half);
            if (pixels <= 0) return;
            for (var quarter = 0; quarter < 2; quarter++)
            {
                // Rows: pixels 8·half .. 8·half + 7, channels 8·quarter .. 8·quarter + 7.
                var q = sums + 8 * half * Channels + 8 * quarter;
                var r0 = Avx.LoadAlignedVector256(q);
                var r1 = Avx.LoadAlignedVector256(q + Channels);
                var r2 = Avx.LoadAlignedVector256(q + 2 * Channels);
                var r3 = Avx.LoadAlignedVector256(q + 3 * Channels);
                var r4 = Avx.LoadAlignedVector256(q + 4 * Channels);
                var r5 = Avx.LoadAlignedVector256(q + 5 * Channels);
                var r6 = Avx.LoadAlignedVector256(q + 6 * Channels);
                var r7 = Avx.LoadAlignedVector256(q + 7 * Channels);
                var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
                var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
                var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
                var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
                // u_k, 128-bit lane L: element k + 4L of rows 0..3 (u0..u3) or 4..7 (u4..u7).
                var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
                var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
                var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
                var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
                var at = (long)(block * Channels + 8 * quarter) * p.Plane + first + 8 * half;
                StoreRow(p, Avx.Permute2x128(u0, u4, 0x20), residual, output, at, pixels);
                StoreRow(p, Avx.Permute2x128(u1, u5, 0x20), residual, output, at + p.Plane, pixels);
                StoreRow(p, Avx.Permute2x128(u2, u6, 0x20), residual, output, at + 2 * p.Plane, pixels);
                StoreRow(p, Avx.Permute2x128(u3, u7, 0x20), residual, output, at + 3 * p.Plane, pixels);
                StoreRow(p, Avx.Permute2x128(u0, u4, 0x31), residual, output, at + 4 * p.Plane, pixels);
                StoreRow(p, Avx.Permute2x128(u1, u5, 0x31), residual, output, at + 5 * p.Plane, pixels);
                StoreRow(p, Avx.Permute2x128(u2, u6, 0x31), residual, output, at + 6 * p.Plane, pixels);
                StoreRow(p, Avx.Permute2x128(u3, u7, 0x31), residual, output, at + 7 * p.Plane, pixels);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(in ChannelVectorProblem p, Vector256<float> sum, float* residual, float* output, long at, int pixels) =>
        ConvEpilogue.Store(sum, output + at, residual == null ? null : residual + at, pixels, p.Relu);
}
