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

    /// <summary>Writes the columns of one image (<paramref name="input"/>: [channels][height][width]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill(float* input, float* columns)
    {
        var g = Geometry;
        var row = columns;
        for (var c = 0; c < Channels; c++)
        {
            var plane = input + (long)c * g.Height * g.Width;
            for (var ky = 0; ky < g.KernelHeight; ky++)
                for (var kx = 0; kx < g.KernelWidth; kx++, row += TapStride)
                {
                    var at = 0;
                    for (var oy = 0; oy < g.OutHeight; oy++)
                    {
                        var iy = oy * g.StrideH - g.PadH + ky * g.DilationH;
                        var inside = iy >= 0 && iy < g.Height;
                        var source = plane + (long)iy * g.Width;
                        for (var ox = 0; ox < g.OutWidth; ox++, at++)
                        {
                            var ix = ox * g.StrideW - g.PadW + kx * g.DilationW;
                            row[at] = inside && ix >= 0 && ix < g.Width ? source[ix] : 0f;
                        }
                    }
                    // The last tile's pixels past the plane are computed and dropped; zeros keep them cheap.
                    for (; at < TapStride; at++) row[at] = 0f;
                }
        }
    }
}
