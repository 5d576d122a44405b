using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>The layout of a zero-padded copy of an image split into stride phases, which lets a
/// convolution read the inputs of 8 neighbouring output pixels with one contiguous load for
/// every tap, whatever the stride, padding and dilation.</summary>
/// <remarks>
/// Padded row r = i·sh + py is row i of vertical phase py (likewise columns with sw), so the
/// input of output (y, x) under tap (ky, kx) — padded (y·sh + ky·dh, x·sw + kx·dw) — is element
/// (y + ky·dh / sh, x + kx·dw / sw) of phase (ky·dh mod sh, kx·dw mod sw). Within one phase, output
/// columns x..x+7 read 8 consecutive floats. Per channel the phases lie one after another, each
/// <see cref="PhaseRows"/> × <see cref="RowStride"/>; for stride 1 there is one phase, the padded
/// image itself. The address splits into a per-tap <see cref="TapOffset"/> and a per-output
/// <see cref="OutputBase"/>.
/// </remarks>
internal readonly unsafe struct PhaseImage
{
    /// <summary>Floats after the last channel that are kept zero: the last vector of a row may
    /// read up to 15 floats (a 16-lane vector) past its last real column.</summary>
    private const int Slack = 32;

    private readonly ConvGeometry _g;

    public PhaseImage(ConvGeometry g)
    {
        _g = g;
        PhaseRows = (g.Height + 2 * g.PadH + g.StrideH - 1) / g.StrideH;
        RowStride = (g.Width + 2 * g.PadW + g.StrideW - 1) / g.StrideW;
        PhaseSize = PhaseRows * RowStride;
        ChannelSize = g.StrideH * g.StrideW * PhaseSize;
    }

    public int PhaseRows { get; }

    /// <summary>Floats from one phase row to the next (the phase's width).</summary>
    public int RowStride { get; }

    public int PhaseSize { get; }

    public int ChannelSize { get; }

    /// <summary>Floats of a scratch buffer holding <paramref name="channels"/> channels.</summary>
    public long Floats(int channels) => (long)channels * ChannelSize + Slack;

    /// <summary>Where tap (channel, ky, kx) reads the input of output (0, 0).</summary>
    public int TapOffset(int channel, int ky, int kx)
    {
        var dy = ky * _g.DilationH;
        var dx = kx * _g.DilationW;
        var phase = dy % _g.StrideH * _g.StrideW + dx % _g.StrideW;
        return channel * ChannelSize + phase * PhaseSize + dy / _g.StrideH * RowStride + dx / _g.StrideW;
    }

    /// <summary>What output (y, x) adds to every tap's offset.</summary>
    public int OutputBase(int y, int x) => y * RowStride + x;

    /// <summary>Fills channels [c0, c1) of <paramref name="scratch"/> from the planes of
    /// <paramref name="image"/> (channel c at image + c·H·W) and, when c1 is the last channel,
    /// zeroes the slack after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill(float* image, float* scratch, int c0, int c1, int channels)
    {
        if (_g.StrideH == 1 && _g.StrideW == 1) FillUnitStride(image, scratch, c0, c1);
        else FillPhases(image, scratch, c0, c1);
        if (c1 == channels) new Span<float>(scratch + (long)channels * ChannelSize, Slack).Clear();
    }

    /// <summary>Stride 1: one phase, the padded image. A channel is a run of zeros (the top rows and
    /// the first row's left padding), then per input row its W floats and one run of zeros (its
    /// right padding and the next row's left padding), then the bottom rows: one pass with the
    /// geometry in locals, since the rows of the small layers are 8 to 32 floats and a call per row
    /// cost as much as the copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillUnitStride(float* image, float* scratch, int c0, int c1)
    {
        int height = _g.Height, width = _g.Width, stride = RowStride, rows = PhaseRows;
        long plane = (long)height * width, channelSize = ChannelSize;
        var top = _g.PadH * stride + _g.PadW;
        var gap = stride - width;
        var bottom = (rows - _g.PadH - height) * stride + gap - _g.PadW;
        for (var c = c0; c < c1; c++)
        {
            var src = image + c * plane;
            var dst = scratch + c * channelSize;
            Zero(dst, top);
            dst += top;
            for (var y = 0; y < height; y++, src += width)
            {
                Copy(src, dst, width);
                dst += width;
                Zero(dst, y + 1 < height ? gap : bottom);
                dst += gap;
            }
        }
    }

    /// <summary>Floats of a band of <paramref name="rows"/> padded rows of <paramref name="channels"/>
    /// channels (stride 1 only: one phase).</summary>
    public long BandFloats(int channels, int rows) => (long)channels * rows * RowStride + Slack;

    /// <summary>Padded rows [<paramref name="row0"/>, <paramref name="row0"/> + <paramref name="rows"/>)
    /// of every channel of <paramref name="image"/> into <paramref name="band"/>, channel c at
    /// band + c·rows·<see cref="RowStride"/>, with the slack after the last channel zeroed: the
    /// stride-1 layout of <see cref="Fill"/>, for a band of output rows at a time, so that the copy
    /// is still in the core's cache when the tiles read it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FillBand(float* image, float* band, int row0, int rows, int channels)
    {
        int height = _g.Height, width = _g.Width, stride = RowStride, padH = _g.PadH, padW = _g.PadW;
        long plane = (long)height * width;
        var right = stride - width - padW;
        for (var c = 0; c < channels; c++)
        {
            var src = image + c * plane;
            var dst = band + (long)c * rows * stride;
            for (var j = 0; j < rows; j++, dst += stride)
            {
                var iy = row0 + j - padH;
                if ((uint)iy >= (uint)height)
                {
                    Zero(dst, stride);
                    continue;
                }
                Zero(dst, padW);
                Copy(src + (long)iy * width, dst + padW, width);
                Zero(dst + padW + width, right);
            }
        }
        new Span<float>(band + (long)channels * rows * stride, Slack).Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* src, float* dst, int count)
    {
        var j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + Vector512<float>.Count <= count; j += Vector512<float>.Count)
                Vector512.Load(src + j).Store(dst + j);
        for (; j + Vector256<float>.Count <= count; j += Vector256<float>.Count)
            Vector256.Load(src + j).Store(dst + j);
        if (j < count && count >= Vector256<float>.Count)
        {
            // The last 8, overlapping what is copied already: no scalar tail.
            Vector256.Load(src + count - Vector256<float>.Count).Store(dst + count - Vector256<float>.Count);
            return;
        }
        for (; j < count; j++) dst[j] = src[j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Zero(float* dst, int count)
    {
        var j = 0;
        for (; j + Vector256<float>.Count <= count; j += Vector256<float>.Count)
            Vector256<float>.Zero.Store(dst + j);
        for (; j < count; j++) dst[j] = 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillPhases(float* image, float* scratch, int c0, int c1)
    {
        if (_g.StrideH == 2 && _g.StrideW == 2 && Avx2.IsSupported)
        {
            FillStride2(image, scratch, c0, c1);
            return;
        }
        var plane = _g.Height * _g.Width;
        for (var c = c0; c < c1; c++)
        {
            var src = image + (long)c * plane;
            var dst = scratch + (long)c * ChannelSize;
            for (var py = 0; py < _g.StrideH; py++)
                for (var px = 0; px < _g.StrideW; px++)
                {
                    var phase = dst + (py * _g.StrideW + px) * PhaseSize;
                    for (var i = 0; i < PhaseRows; i++)
                    {
                        var row = phase + i * RowStride;
                        var iy = i * _g.StrideH + py - _g.PadH;
                        if ((uint)iy >= (uint)_g.Height)
                            new Span<float>(row, RowStride).Clear();
                        else
                            FillRow(src + iy * _g.Width, row, px);
                    }
                }
        }
    }

    [ThreadStatic] private static PackBuffer? _paddedPlane;

    /// <summary>Stride 2 on both axes, per channel in two passes: the input rows are copied into a
    /// zero-bordered plane, then each phase row is cut from its padded row with whole vectors (even
    /// or odd lanes of 16 columns by one shuffle and one permute), with no bounds test per column.
    /// The passes are apart so that no load reads floats that are still on their way from a store
    /// of the copy: the copy is shifted by the left padding, so such a load spans two stores, cannot
    /// take its value from them and waits until they reach the cache; copying a row and cutting it
    /// at once made the copy of a small depthwise layer (28 → 14) take 2.6 times its convolution.
    /// Row by row per phase with scalar ends it cost four times the convolution.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillStride2(float* image, float* scratch, int c0, int c1)
    {
        int height = _g.Height, width = _g.Width, padH = _g.PadH, padW = _g.PadW;
        var plane = height * width;
        // Padded row r holds input row r − padH from column padW, zeros around it, and 16 past the
        // last column any phase reads; rows past the input (bottom padding) are zeros.
        var paddedWidth = 2 * RowStride + 2 * Vector256<float>.Count;
        var paddedRows = 2 * PhaseRows;
        var padded = (_paddedPlane ??= new PackBuffer()).Get(paddedRows * paddedWidth);
        var lastVector = RowStride / Vector256<float>.Count * Vector256<float>.Count;
        var lanes = stackalloc float[2 * Vector256<float>.Count];
        for (var c = c0; c < c1; c++)
        {
            var src = image + (long)c * plane;
            var dst = scratch + (long)c * ChannelSize;
            for (var r = 0; r < paddedRows; r++)
            {
                var row = padded + (long)r * paddedWidth;
                var iy = r - padH;
                if ((uint)iy >= (uint)height)
                {
                    Zero(row, paddedWidth);
                    continue;
                }
                Zero(row, padW);
                Copy(src + (long)iy * width, row + padW, width);
                Zero(row + padW + width, paddedWidth - padW - width);
            }
            for (var py = 0; py < 2; py++)
            {
                var even = dst + py * 2 * PhaseSize;
                var odd = even + PhaseSize;
                for (var i = 0; i < PhaseRows; i++, even += RowStride, odd += RowStride)
                {
                    var row = padded + (long)(2 * i + py) * paddedWidth;
                    var j = 0;
                    for (; j < lastVector; j += Vector256<float>.Count)
                    {
                        var (e, o) = EvenOdd(row + 2 * j);
                        e.Store(even + j);
                        o.Store(odd + j);
                    }
                    if (j < RowStride && RowStride >= Vector256<float>.Count)
                    {
                        // The last 8 columns, overlapping the ones written: the same values.
                        j = RowStride - Vector256<float>.Count;
                        var (e, o) = EvenOdd(row + 2 * j);
                        e.Store(even + j);
                        o.Store(odd + j);
                    }
                    else if (j < RowStride)
                    {
                        var (e, o) = EvenOdd(row + 2 * j);
                        e.Store(lanes);
                        o.Store(lanes + Vector256<float>.Count);
                        for (var k = 0; j + k < RowStride; k++)
                        {
                            even[j + k] = lanes[k];
                            odd[j + k] = lanes[Vector256<float>.Count + k];
                        }
                    }
                }
            }
        }
    }

    /// <summary>Lanes 0, 2, …, 14 and 1, 3, …, 15 of the 16 floats at <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) EvenOdd(float* at)
    {
        var a = Vector256.Load(at);
        var b = Vector256.Load(at + Vector256<float>.Count);
        var even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        var odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
        return (even, odd);
    }

    /// <summary>Phase row j = 0..RowStride-1 holds input column j·sw + px − pw, or 0 outside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillRow(float* src, float* row, int px)
    {
        if (_g.StrideW == 1)
        {
            // Columns [pw, pw + W) are the input row, the rest padding. Plain loops and vector
            // moves: rows are short (7 to 230 floats), and span calls would cost more than the copy.
            var left = _g.PadW;
            for (var j = 0; j < left; j++) row[j] = 0f;
            var dst = row + left;
            var j8 = 0;
            for (; j8 + Vector256<float>.Count <= _g.Width; j8 += Vector256<float>.Count)
                Vector256.Load(src + j8).Store(dst + j8);
            for (; j8 < _g.Width; j8++) dst[j8] = src[j8];
            for (var j = left + _g.Width; j < RowStride; j++) row[j] = 0f;
            return;
        }
        var first = 0;
        if (_g.StrideW == 2 && Avx2.IsSupported)
        {
            // Stride 2: 8 phase columns are the even (or odd) lanes of 16 input columns, split out
            // with one shuffle and one permute instead of 8 scalar moves.
            var shift = px - _g.PadW;
            for (; first < RowStride && 2 * first + shift < 0; first++) row[first] = 0f;
            for (; first + Vector256<float>.Count <= RowStride && 2 * first + shift + 2 * Vector256<float>.Count <= _g.Width; first += Vector256<float>.Count)
            {
                var at = src + 2 * first + shift;
                var pairs = Avx.Shuffle(Vector256.Load(at), Vector256.Load(at + Vector256<float>.Count), 0b10_00_10_00);
                Avx2.Permute4x64(pairs.AsDouble(), 0b11_01_10_00).AsSingle().Store(row + first);
            }
        }
        for (var j = first; j < RowStride; j++)
        {
            var ix = j * _g.StrideW + px - _g.PadW;
            row[j] = (uint)ix < (uint)_g.Width ? src[ix] : 0f;
        }
    }
}
