using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>The AVX-512 register tiles of <see cref="ChannelVectorConv"/>: 16 output channels × 16
/// output pixels in 16 zmm accumulators, one per pixel, each holding the pixel's 16 channels.
/// Per tap it loads the tap's 16 weights (one aligned vector of the packed weights) and
/// broadcasts each pixel's input: 1 vector load and 16 scalar broadcasts feed 16 FMAs. Two
/// channel blocks at once (<see cref="RunPair{TStride}"/>, 8 pixels at a time) feed 16 FMAs from
/// 2 vector loads and 8 broadcasts, which on two cores of a Zen 5 took the zoo's 3×3 layers from
/// 340–390 to 450–500 GFLOP/s (`--quick 3x3`); the single block takes a last odd block and
/// 16-channel layers. No load ever crosses a cache line (the NCHW direct tiles load unaligned 16-pixel rows at every
/// tap). The pixels are 16 neighbours of one output row (the last tile of a row stores only the
/// pixels the row has; the others read past it, into padding or the slack after the image), or
/// two rows of an 8-wide plane. The sums are turned to channel-major order through a
/// stack tile and stored as 16-pixel rows, residual and ReLU applied.</summary>
internal static unsafe class ChannelVectorTile
{
    public const int Channels = 16;
    public const int Pixels = 16;

    /// <summary>Output channels [16·block, 16·block + 16) × the pixels of tile
    /// <paramref name="tile"/> of one image, whose zero-padded input is <paramref name="image"/>
    /// (rows and channels as in the problem); <typeparamref name="TStride"/> is the stride of
    /// both axes, a constant in each instance so every broadcast is one load at a fixed offset.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TStride>(in ChannelVectorProblem p, float* image, float* residual, float* output, int block, int tile)
        where TStride : struct, IConvStride
    {
        var s = TStride.Step;
        // Pixels 8..15 read from r1: the same row, or the next row on 8-wide planes (two rows a tile).
        var (first, count, offset, nextRow) = Place(p, tile, s);
        var start = image + offset;
        var w = p.Weights + (long)block * p.Depth * Channels;

        var bias = Vector512.Load(p.Bias + block * Channels);
        Vector512<float> a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias,
            a8 = bias, a9 = bias, a10 = bias, a11 = bias, a12 = bias, a13 = bias, a14 = bias, a15 = bias;
        int kh = p.KernelHeight, kw = p.KernelWidth;
        for (var c = 0; c < p.InChannels; c++)
        {
            var plane = start + (long)c * p.ChannelSize;
            for (var ky = 0; ky < kh; ky++)
            {
                var r0 = plane + ky * p.RowStride;
                var r1 = r0 + nextRow;
                for (var kx = 0; kx < kw; kx++, r0++, r1++, w += Channels)
                {
                    var v = Vector512.LoadAligned(w);
                    a0 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r0[0 * s]), a0);
                    a1 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r0[1 * s]), a1);
                    a2 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r0[2 * s]), a2);
                    a3 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r0[3 * s]), a3);
                    a4 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r0[4 * s]), a4);
                    a5 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r0[5 * s]), a5);
                    a6 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r0[6 * s]), a6);
                    a7 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r0[7 * s]), a7);
                    a8 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r1[8 * s]), a8);
                    a9 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r1[9 * s]), a9);
                    a10 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r1[10 * s]), a10);
                    a11 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r1[11 * s]), a11);
                    a12 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r1[12 * s]), a12);
                    a13 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r1[13 * s]), a13);
                    a14 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r1[14 * s]), a14);
                    a15 = Avx512F.FusedMultiplyAdd(v, Vector512.Create(r1[15 * s]), a15);
                }
            }
        }

        // sums[pixel][channel] → rows of 16 pixels per channel.
        var buffer = stackalloc float[2 * Channels * Pixels + 16];
        var t = (Vector512<float>*)(((nint)buffer + 63) & ~(nint)63);
        t[0] = a0; t[1] = a1; t[2] = a2; t[3] = a3; t[4] = a4; t[5] = a5; t[6] = a6; t[7] = a7;
        t[8] = a8; t[9] = a9; t[10] = a10; t[11] = a11; t[12] = a12; t[13] = a13; t[14] = a14; t[15] = a15;
        Store(p, t, t + Pixels, residual, output, block, first, count);
    }

    /// <summary><see cref="Run{TStride}"/> for unit stride and kernels 3 wide on row tiles: each
    /// input of the row is broadcast once and feeds the (up to) three output pixels whose windows
    /// hold it, with the row's three tap weights kept in registers, so a kernel row makes 48 FMAs
    /// from 18 broadcasts and 3 vector loads where the tap-by-tap loop makes them from 48 and 3.
    /// The sums add the taps in the same order as <see cref="Run{TStride}"/>.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunRow3(in ChannelVectorProblem p, float* image, float* residual, float* output, int block, int tile)
    {
        var (first, count, offset, _) = Place(p, tile, 1);
        var start = image + offset;
        var w = p.Weights + (long)block * p.Depth * Channels;
        var bias = Vector512.Load(p.Bias + block * Channels);
        Vector512<float> a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias,
            a8 = bias, a9 = bias, a10 = bias, a11 = bias, a12 = bias, a13 = bias, a14 = bias, a15 = bias;
        int kh = p.KernelHeight;
        for (var c = 0; c < p.InChannels; c++)
        {
            var plane = start + (long)c * p.ChannelSize;
            for (var ky = 0; ky < kh; ky++, w += 3 * Channels)
            {
                var r = plane + ky * p.RowStride;
                var w0 = Vector512.LoadAligned(w);
                var w1 = Vector512.LoadAligned(w + Channels);
                var w2 = Vector512.LoadAligned(w + 2 * Channels);
                Vector512<float> x;
                x = Vector512.Create(r[0]); a0 = Avx512F.FusedMultiplyAdd(w0, x, a0);
                x = Vector512.Create(r[1]); a1 = Avx512F.FusedMultiplyAdd(w0, x, a1); a0 = Avx512F.FusedMultiplyAdd(w1, x, a0);
                x = Vector512.Create(r[2]); a2 = Avx512F.FusedMultiplyAdd(w0, x, a2); a1 = Avx512F.FusedMultiplyAdd(w1, x, a1); a0 = Avx512F.FusedMultiplyAdd(w2, x, a0);
                x = Vector512.Create(r[3]); a3 = Avx512F.FusedMultiplyAdd(w0, x, a3); a2 = Avx512F.FusedMultiplyAdd(w1, x, a2); a1 = Avx512F.FusedMultiplyAdd(w2, x, a1);
                x = Vector512.Create(r[4]); a4 = Avx512F.FusedMultiplyAdd(w0, x, a4); a3 = Avx512F.FusedMultiplyAdd(w1, x, a3); a2 = Avx512F.FusedMultiplyAdd(w2, x, a2);
                x = Vector512.Create(r[5]); a5 = Avx512F.FusedMultiplyAdd(w0, x, a5); a4 = Avx512F.FusedMultiplyAdd(w1, x, a4); a3 = Avx512F.FusedMultiplyAdd(w2, x, a3);
                x = Vector512.Create(r[6]); a6 = Avx512F.FusedMultiplyAdd(w0, x, a6); a5 = Avx512F.FusedMultiplyAdd(w1, x, a5); a4 = Avx512F.FusedMultiplyAdd(w2, x, a4);
                x = Vector512.Create(r[7]); a7 = Avx512F.FusedMultiplyAdd(w0, x, a7); a6 = Avx512F.FusedMultiplyAdd(w1, x, a6); a5 = Avx512F.FusedMultiplyAdd(w2, x, a5);
                x = Vector512.Create(r[8]); a8 = Avx512F.FusedMultiplyAdd(w0, x, a8); a7 = Avx512F.FusedMultiplyAdd(w1, x, a7); a6 = Avx512F.FusedMultiplyAdd(w2, x, a6);
                x = Vector512.Create(r[9]); a9 = Avx512F.FusedMultiplyAdd(w0, x, a9); a8 = Avx512F.FusedMultiplyAdd(w1, x, a8); a7 = Avx512F.FusedMultiplyAdd(w2, x, a7);
                x = Vector512.Create(r[10]); a10 = Avx512F.FusedMultiplyAdd(w0, x, a10); a9 = Avx512F.FusedMultiplyAdd(w1, x, a9); a8 = Avx512F.FusedMultiplyAdd(w2, x, a8);
                x = Vector512.Create(r[11]); a11 = Avx512F.FusedMultiplyAdd(w0, x, a11); a10 = Avx512F.FusedMultiplyAdd(w1, x, a10); a9 = Avx512F.FusedMultiplyAdd(w2, x, a9);
                x = Vector512.Create(r[12]); a12 = Avx512F.FusedMultiplyAdd(w0, x, a12); a11 = Avx512F.FusedMultiplyAdd(w1, x, a11); a10 = Avx512F.FusedMultiplyAdd(w2, x, a10);
                x = Vector512.Create(r[13]); a13 = Avx512F.FusedMultiplyAdd(w0, x, a13); a12 = Avx512F.FusedMultiplyAdd(w1, x, a12); a11 = Avx512F.FusedMultiplyAdd(w2, x, a11);
                x = Vector512.Create(r[14]); a14 = Avx512F.FusedMultiplyAdd(w0, x, a14); a13 = Avx512F.FusedMultiplyAdd(w1, x, a13); a12 = Avx512F.FusedMultiplyAdd(w2, x, a12);
                x = Vector512.Create(r[15]); a15 = Avx512F.FusedMultiplyAdd(w0, x, a15); a14 = Avx512F.FusedMultiplyAdd(w1, x, a14); a13 = Avx512F.FusedMultiplyAdd(w2, x, a13);
                x = Vector512.Create(r[16]); a15 = Avx512F.FusedMultiplyAdd(w1, x, a15); a14 = Avx512F.FusedMultiplyAdd(w2, x, a14);
                x = Vector512.Create(r[17]); a15 = Avx512F.FusedMultiplyAdd(w2, x, a15);
            }
        }

        var buffer = stackalloc float[2 * Channels * Pixels + 16];
        var t = (Vector512<float>*)(((nint)buffer + 63) & ~(nint)63);
        t[0] = a0; t[1] = a1; t[2] = a2; t[3] = a3; t[4] = a4; t[5] = a5; t[6] = a6; t[7] = a7;
        t[8] = a8; t[9] = a9; t[10] = a10; t[11] = a11; t[12] = a12; t[13] = a13; t[14] = a14; t[15] = a15;
        Store(p, t, t + Pixels, residual, output, block, first, count);
    }

    /// <summary>Two channel blocks (<paramref name="block"/> and the next) × the pixels of tile
    /// <paramref name="tile"/>, as <see cref="Run{TStride}"/> for each, in two halves of 8 pixels
    /// with 8 accumulators per block: each broadcast input feeds two FMAs, so a tap makes 16 FMAs
    /// from 2 vector loads and 8 broadcasts where the single block makes 16 from 1 and 16.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunPair<TStride>(in ChannelVectorProblem p, float* image, float* residual, float* output, int block, int tile)
        where TStride : struct, IConvStride
    {
        var s = TStride.Step;
        var (first, count, offset, nextRow) = Place(p, tile, s);
        var start = image + offset;
        var buffer = stackalloc float[3 * Channels * Pixels + 16];
        var t = (Vector512<float>*)(((nint)buffer + 63) & ~(nint)63);
        var u = t + Pixels;
        var blockWeights = (long)p.Depth * Channels;
        var biasA = Vector512.Load(p.Bias + block * Channels);
        var biasB = Vector512.Load(p.Bias + (block + 1) * Channels);
        int kh = p.KernelHeight, kw = p.KernelWidth;
        // A tile of at most 8 pixels (a 2×2 plane, the last 8 of a 56-wide row) has no second half.
        for (var half = 0; half < (count > 8 ? 2 : 1); half++)
        {
            // Pixels 8..15 continue the row, or start the next one on 8-wide planes.
            var q = half == 0 ? start : start + nextRow + 8 * s;
            var w = p.Weights + block * blockWeights;
            Vector512<float> a0 = biasA, a1 = biasA, a2 = biasA, a3 = biasA, a4 = biasA, a5 = biasA, a6 = biasA, a7 = biasA;
            Vector512<float> b0 = biasB, b1 = biasB, b2 = biasB, b3 = biasB, b4 = biasB, b5 = biasB, b6 = biasB, b7 = biasB;
            for (var c = 0; c < p.InChannels; c++)
            {
                var plane = q + (long)c * p.ChannelSize;
                for (var ky = 0; ky < kh; ky++)
                {
                    var r = plane + ky * p.RowStride;
                    for (var kx = 0; kx < kw; kx++, r++, w += Channels)
                    {
                        var v = Vector512.LoadAligned(w);
                        var vb = Vector512.LoadAligned(w + blockWeights);
                        var x = Vector512.Create(r[0 * s]); a0 = Avx512F.FusedMultiplyAdd(v, x, a0); b0 = Avx512F.FusedMultiplyAdd(vb, x, b0);
                        x = Vector512.Create(r[1 * s]); a1 = Avx512F.FusedMultiplyAdd(v, x, a1); b1 = Avx512F.FusedMultiplyAdd(vb, x, b1);
                        x = Vector512.Create(r[2 * s]); a2 = Avx512F.FusedMultiplyAdd(v, x, a2); b2 = Avx512F.FusedMultiplyAdd(vb, x, b2);
                        x = Vector512.Create(r[3 * s]); a3 = Avx512F.FusedMultiplyAdd(v, x, a3); b3 = Avx512F.FusedMultiplyAdd(vb, x, b3);
                        x = Vector512.Create(r[4 * s]); a4 = Avx512F.FusedMultiplyAdd(v, x, a4); b4 = Avx512F.FusedMultiplyAdd(vb, x, b4);
                        x = Vector512.Create(r[5 * s]); a5 = Avx512F.FusedMultiplyAdd(v, x, a5); b5 = Avx512F.FusedMultiplyAdd(vb, x, b5);
                        x = Vector512.Create(r[6 * s]); a6 = Avx512F.FusedMultiplyAdd(v, x, a6); b6 = Avx512F.FusedMultiplyAdd(vb, x, b6);
                        x = Vector512.Create(r[7 * s]); a7 = Avx512F.FusedMultiplyAdd(v, x, a7); b7 = Avx512F.FusedMultiplyAdd(vb, x, b7);
                    }
                }
            }
            var ta = t + 8 * half;
            var tb = u + 8 * half;
            ta[0] = a0; ta[1] = a1; ta[2] = a2; ta[3] = a3; ta[4] = a4; ta[5] = a5; ta[6] = a6; ta[7] = a7;
            tb[0] = b0; tb[1] = b1; tb[2] = b2; tb[3] = b3; tb[4] = b4; tb[5] = b5; tb[6] = b6; tb[7] = b7;
        }
        var scratch = u + Pixels;
        Store(p, t, scratch, residual, output, block, first, count);
        Store(p, u, scratch, residual, output, block + 1, first, count);
    }

    /// <summary><see cref="RunPair{TStride}"/> for unit stride and kernels 3 wide, with the broadcasts
    /// of <see cref="RunRow3"/>: each input of a half's row is broadcast once and feeds the (up to)
    /// three pixels whose windows hold it in both channel blocks, with the row's six tap weights in
    /// registers, so a kernel row makes 48 FMAs from 10 broadcasts and 6 vector loads where the
    /// tap-by-tap pair makes them from 24 and 6. The sums add the taps in the same order. Halves are
    /// <typeparamref name="THalf"/> pixels: 8, or 7 where the problem's tiles are 14 wide.</summary>
    /// <remarks>It adds input channels [<paramref name="c0"/>, <paramref name="c1"/>): from the bias when
    /// c0 is 0, else from the sums left in <paramref name="partial"/> (32 vectors: block A's 16 pixels,
    /// then block B's), where it leaves them again unless c1 is the last channel, which stores the
    /// output. Deep layers take their channels in ranges over a few tiles at a time (see
    /// <see cref="ChannelVectorProblem"/>) so the range's weights stay in cache for those tiles.</remarks>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunPairRow3<THalf>(in ChannelVectorProblem p, float* image, float* residual, float* output, int block, int tile,
        int c0, int c1, Vector512<float>* partial)
        where THalf : struct, ITileHalf
    {
        var h = THalf.Pixels;
        var (first, count, offset, nextRow) = Place(p, tile, 1);
        var start = image + offset;
        var buffer = stackalloc float[3 * Channels * Pixels + 16];
        var last = c1 == p.InChannels;
        var t = last ? (Vector512<float>*)(((nint)buffer + 63) & ~(nint)63) : partial;
        var u = t + Pixels;
        var blockWeights = (long)p.Depth * Channels;
        var biasA = Vector512.Load(p.Bias + block * Channels);
        var biasB = Vector512.Load(p.Bias + (block + 1) * Channels);
        int kh = p.KernelHeight;
        // A tile of at most one half's pixels (a 2×2 plane, the last 8 of a 56-wide row) has no second half.
        for (var half = 0; half < (count > h ? 2 : 1); half++)
        {
            var q = half == 0 ? start : start + nextRow + h;
            var w = p.Weights + block * blockWeights + (long)c0 * kh * 3 * Channels;
            Vector512<float> a0 = biasA, a1 = biasA, a2 = biasA, a3 = biasA, a4 = biasA, a5 = biasA, a6 = biasA, a7 = biasA;
            Vector512<float> b0 = biasB, b1 = biasB, b2 = biasB, b3 = biasB, b4 = biasB, b5 = biasB, b6 = biasB, b7 = biasB;
            if (c0 > 0)
            {
                var pa = partial + h * half;
                var pb = partial + Pixels + h * half;
                a0 = pa[0]; a1 = pa[1]; a2 = pa[2]; a3 = pa[3]; a4 = pa[4]; a5 = pa[5]; a6 = pa[6];
                b0 = pb[0]; b1 = pb[1]; b2 = pb[2]; b3 = pb[3]; b4 = pb[4]; b5 = pb[5]; b6 = pb[6];
                if (h == 8)
                {
                    a7 = pa[7];
                    b7 = pb[7];
                }
            }
            for (var c = c0; c < c1; c++)
            {
                var plane = q + (long)c * p.ChannelSize;
                for (var ky = 0; ky < kh; ky++, w += 3 * Channels)
                {
                    var r = plane + ky * p.RowStride;
                    var wa0 = Vector512.LoadAligned(w);
                    var wa1 = Vector512.LoadAligned(w + Channels);
                    var wa2 = Vector512.LoadAligned(w + 2 * Channels);
                    var wb0 = Vector512.LoadAligned(w + blockWeights);
                    var wb1 = Vector512.LoadAligned(w + blockWeights + Channels);
                    var wb2 = Vector512.LoadAligned(w + blockWeights + 2 * Channels);
                    Vector512<float> x;
                    x = Vector512.Create(r[0]); a0 = Avx512F.FusedMultiplyAdd(wa0, x, a0); b0 = Avx512F.FusedMultiplyAdd(wb0, x, b0);
                    x = Vector512.Create(r[1]); a1 = Avx512F.FusedMultiplyAdd(wa0, x, a1); b1 = Avx512F.FusedMultiplyAdd(wb0, x, b1); a0 = Avx512F.FusedMultiplyAdd(wa1, x, a0); b0 = Avx512F.FusedMultiplyAdd(wb1, x, b0);
                    x = Vector512.Create(r[2]); a2 = Avx512F.FusedMultiplyAdd(wa0, x, a2); b2 = Avx512F.FusedMultiplyAdd(wb0, x, b2); a1 = Avx512F.FusedMultiplyAdd(wa1, x, a1); b1 = Avx512F.FusedMultiplyAdd(wb1, x, b1); a0 = Avx512F.FusedMultiplyAdd(wa2, x, a0); b0 = Avx512F.FusedMultiplyAdd(wb2, x, b0);
                    x = Vector512.Create(r[3]); a3 = Avx512F.FusedMultiplyAdd(wa0, x, a3); b3 = Avx512F.FusedMultiplyAdd(wb0, x, b3); a2 = Avx512F.FusedMultiplyAdd(wa1, x, a2); b2 = Avx512F.FusedMultiplyAdd(wb1, x, b2); a1 = Avx512F.FusedMultiplyAdd(wa2, x, a1); b1 = Avx512F.FusedMultiplyAdd(wb2, x, b1);
                    x = Vector512.Create(r[4]); a4 = Avx512F.FusedMultiplyAdd(wa0, x, a4); b4 = Avx512F.FusedMultiplyAdd(wb0, x, b4); a3 = Avx512F.FusedMultiplyAdd(wa1, x, a3); b3 = Avx512F.FusedMultiplyAdd(wb1, x, b3); a2 = Avx512F.FusedMultiplyAdd(wa2, x, a2); b2 = Avx512F.FusedMultiplyAdd(wb2, x, b2);
                    x = Vector512.Create(r[5]); a5 = Avx512F.FusedMultiplyAdd(wa0, x, a5); b5 = Avx512F.FusedMultiplyAdd(wb0, x, b5); a4 = Avx512F.FusedMultiplyAdd(wa1, x, a4); b4 = Avx512F.FusedMultiplyAdd(wb1, x, b4); a3 = Avx512F.FusedMultiplyAdd(wa2, x, a3); b3 = Avx512F.FusedMultiplyAdd(wb2, x, b3);
                    x = Vector512.Create(r[6]); a6 = Avx512F.FusedMultiplyAdd(wa0, x, a6); b6 = Avx512F.FusedMultiplyAdd(wb0, x, b6); a5 = Avx512F.FusedMultiplyAdd(wa1, x, a5); b5 = Avx512F.FusedMultiplyAdd(wb1, x, b5); a4 = Avx512F.FusedMultiplyAdd(wa2, x, a4); b4 = Avx512F.FusedMultiplyAdd(wb2, x, b4);
                    // Pixel 7 (the eighth) only on halves of 8; each sum still adds its taps in kx order.
                    x = Vector512.Create(r[7]);
                    if (h == 8)
                    {
                        a7 = Avx512F.FusedMultiplyAdd(wa0, x, a7); b7 = Avx512F.FusedMultiplyAdd(wb0, x, b7);
                    }
                    a6 = Avx512F.FusedMultiplyAdd(wa1, x, a6); b6 = Avx512F.FusedMultiplyAdd(wb1, x, b6); a5 = Avx512F.FusedMultiplyAdd(wa2, x, a5); b5 = Avx512F.FusedMultiplyAdd(wb2, x, b5);
                    x = Vector512.Create(r[8]);
                    if (h == 8)
                    {
                        a7 = Avx512F.FusedMultiplyAdd(wa1, x, a7); b7 = Avx512F.FusedMultiplyAdd(wb1, x, b7);
                    }
                    a6 = Avx512F.FusedMultiplyAdd(wa2, x, a6); b6 = Avx512F.FusedMultiplyAdd(wb2, x, b6);
                    if (h == 8)
                    {
                        x = Vector512.Create(r[9]); a7 = Avx512F.FusedMultiplyAdd(wa2, x, a7); b7 = Avx512F.FusedMultiplyAdd(wb2, x, b7);
                    }
                }
            }
            var ta = t + h * half;
            var tb = u + h * half;
            ta[0] = a0; ta[1] = a1; ta[2] = a2; ta[3] = a3; ta[4] = a4; ta[5] = a5; ta[6] = a6;
            tb[0] = b0; tb[1] = b1; tb[2] = b2; tb[3] = b3; tb[4] = b4; tb[5] = b5; tb[6] = b6;
            if (h == 8)
            {
                ta[7] = a7;
                tb[7] = b7;
            }
        }
        if (!last) return;
        var scratch = u + Pixels;
        Store(p, t, scratch, residual, output, block, first, count);
        Store(p, u, scratch, residual, output, block + 1, first, count);
    }

    /// <summary>Where tile <paramref name="tile"/> lies: its first output pixel, how many pixels it
    /// stores, where in the image its pixel 0 reads (tap 0, channel 0) at stride <paramref name="s"/>,
    /// and what pixel 8 adds to that beyond 8 steps of the row (the next row on 8-wide planes, else 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (int First, int Count, long Start, nint NextRow) Place(in ChannelVectorProblem p, int tile, int s)
    {
        if (p.TilesPerRow == 0)
        {
            var first = tile * Pixels;
            return (first, Pixels, (long)(first / 8) * s * p.RowStride, s * p.RowStride - 8 * s);
        }
        var y = tile / p.TilesPerRow;
        var x = tile % p.TilesPerRow * p.TilePixels;
        return (y * p.OutWidth + x, Math.Min(p.TilePixels, p.OutWidth - x), (long)y * s * p.RowStride + x * s, 0);
    }

    /// <summary>Stores the sums of one channel block (<paramref name="t"/>[pixel] = the pixel's 16
    /// channels, turned to 16-pixel rows per channel in place through <paramref name="scratch"/>),
    /// residual and ReLU applied; a row's last tile stores only its <paramref name="count"/> pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in ChannelVectorProblem p, Vector512<float>* t, Vector512<float>* scratch, float* residual, float* output, int block, int first, int count)
    {
        Transpose(t, scratch);
        var at = (long)block * Channels * p.Plane + first;
        if (count == Pixels)
        {
            for (var j = 0; j < Channels; j++, at += p.Plane)
            {
                var sum = t[j];
                if (residual != null) sum += Vector512.Load(residual + at);
                if (p.Relu) sum = Vector512.Max(sum, Vector512<float>.Zero);
                sum.Store(output + at);
            }
            return;
        }
        // A row's last tile, or a tile of 14: its first count pixels only (the rest read past the
        // row, and the residual may end before a whole vector).
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
        for (var j = 0; j < Channels; j++, at += p.Plane)
        {
            var sum = t[j];
            if (residual != null) sum += Avx512F.MaskLoad(residual + at, mask, Vector512<float>.Zero);
            if (p.Relu) sum = Vector512.Max(sum, Vector512<float>.Zero);
            Avx512F.MaskStore(output + at, mask, sum);
        }
    }

    /// <summary>Transposes the 16 × 16 matrix of rows <paramref name="rows"/>[0..15] in place
    /// (<paramref name="scratch"/> holds 16 vectors): pairs of rows interleaved, then 64-bit
    /// pairs, then 128-bit lanes twice, 64 shuffles in all.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector512<float>* rows, Vector512<float>* scratch)
    {
        for (var i = 0; i < 16; i += 2)
        {
            scratch[i] = Avx512F.UnpackLow(rows[i], rows[i + 1]);
            scratch[i + 1] = Avx512F.UnpackHigh(rows[i], rows[i + 1]);
        }
        // rows[4i + k], 128-bit lane L: element 4L + k of rows 4i .. 4i + 3.
        for (var i = 0; i < 16; i += 4)
        {
            rows[i] = Avx512F.Shuffle(scratch[i], scratch[i + 2], 0x44);
            rows[i + 1] = Avx512F.Shuffle(scratch[i], scratch[i + 2], 0xEE);
            rows[i + 2] = Avx512F.Shuffle(scratch[i + 1], scratch[i + 3], 0x44);
            rows[i + 3] = Avx512F.Shuffle(scratch[i + 1], scratch[i + 3], 0xEE);
        }
        for (var k = 0; k < 4; k++)
        {
            scratch[k] = Avx512F.Shuffle4x128(rows[k], rows[4 + k], 0x88);
            scratch[4 + k] = Avx512F.Shuffle4x128(rows[k], rows[4 + k], 0xDD);
            scratch[8 + k] = Avx512F.Shuffle4x128(rows[8 + k], rows[12 + k], 0x88);
            scratch[12 + k] = Avx512F.Shuffle4x128(rows[8 + k], rows[12 + k], 0xDD);
        }
        // Column 4L + k of the matrix.
        for (var k = 0; k < 4; k++)
        {
            rows[k] = Avx512F.Shuffle4x128(scratch[k], scratch[8 + k], 0x88);
            rows[8 + k] = Avx512F.Shuffle4x128(scratch[k], scratch[8 + k], 0xDD);
            rows[4 + k] = Avx512F.Shuffle4x128(scratch[4 + k], scratch[12 + k], 0x88);
            rows[12 + k] = Avx512F.Shuffle4x128(scratch[4 + k], scratch[12 + k], 0xDD);
        }
    }
}
