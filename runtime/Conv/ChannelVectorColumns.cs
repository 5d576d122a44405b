using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>The input of a convolution over a small output plane laid out for
/// <see cref="ChannelVectorTile"/> as one row of pixels: [tap (in channel, ky, kx)][pixel], each
/// tap's row padded to a whole number of 16-pixel tiles, zero where a window reaches past the
/// image. With it a plane of up to 64 pixels whose rows are narrower than a tile (the 4×4 and
/// 2×2 planes of SkipNet's gate convolutions) fills whole tiles, where the row tiles would leave
/// most of each tile empty and the direct tiles most of each vector.</summary>
internal readonly unsafe struct ChannelVectorColumns
{
    public ChannelVectorColumns(ConvGeometry g, int channels)
    {
        Geometry = g;
        Channels = channels;
        Plane = g.OutHeight * g.OutWidth;
        TapStride = (Plane + ChannelVectorTile.Pixels - 1) / ChannelVectorTile.Pixels * ChannelVectorTile.Pixels;
        Taps = channels * g.KernelHeight * g.KernelWidth;
    }

    public ConvGeometry Geometry { get; }
    public int Channels { get; }

    /// <summary>Output pixels, and so columns of each tap.</summary>
    public int Plane { get; }

    /// <summary>Floats from one tap's row to the next: the plane rounded up to whole tiles.</summary>
    public int TapStride { get; }

    public int Taps { get; }

    /// <summary>Floats of one image's columns.</summary>
    public long Floats => (long)Taps * TapStride;

    [ThreadStatic] private static int[]? _window;

    /// <summary>Writes the columns of one image (<paramref name="input"/>: [channels][height][width]).
    /// Which (tap, pixel) reads which input offset is the same for every channel, so it is listed
    /// once; per channel the taps' rows are zeroed with vector stores and only the window elements
    /// inside the image are copied (on the 2×2 and 4×4 gate planes most of a row is padding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill(float* input, float* columns)
    {
        var g = Geometry;
        var perChannel = g.KernelHeight * g.KernelWidth;
        var capacity = 2 * perChannel * Plane;
        if (_window == null || _window.Length < capacity) _window = new int[capacity];
        var count = 0;
        for (var ky = 0; ky < g.KernelHeight; ky++)
            for (var kx = 0; kx < g.KernelWidth; kx++)
            {
                var tapRow = (ky * g.KernelWidth + kx) * TapStride;
                for (var oy = 0; oy < g.OutHeight; oy++)
                {
                    var iy = oy * g.StrideH - g.PadH + ky * g.DilationH;
                    if (iy < 0 || iy >= g.Height) continue;
                    for (var ox = 0; ox < g.OutWidth; ox++)
                    {
                        var ix = ox * g.StrideW - g.PadW + kx * g.DilationW;
                        if (ix < 0 || ix >= g.Width) continue;
                        _window[2 * count] = tapRow + oy * g.OutWidth + ox;
                        _window[2 * count + 1] = iy * g.Width + ix;
                        count++;
                    }
                }
            }
        var channelFloats = perChannel * TapStride;
        fixed (int* window = _window)
        {
            for (var c = 0; c < Channels; c++)
            {
                var plane = input + (long)c * g.Height * g.Width;
                var rows = columns + (long)c * channelFloats;
                // The last tile's pixels past the plane are computed and dropped; zeros keep them cheap.
                new Span<float>(rows, channelFloats).Clear();
                for (var i = 0; i < count; i++)
                    rows[window[2 * i]] = plane[window[2 * i + 1]];
            }
        }
    }
}
