using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>One image of a pointwise (1×1, unit stride, no padding, groups = 1) convolution, ready
/// for the register tiles: the image, the weights, bias, residual and output, and how the work is
/// cut into blocks. The plane is flat (H·W pixels); tile t covers pixels [16t, min(16t + 16, H·W)),
/// read in place or from its panel in the chunk's copy.</summary>
internal readonly unsafe struct PointwiseConvProblem : IConvItems
{
    /// <summary>Whether each item first copies its chunk of tiles into panels [tile][channel][16]
    /// (<see cref="PointwiseConvPanels"/>) in a per-thread buffer, which every channel block then
    /// reads from L1; otherwise the tiles read <see cref="Image"/> in place.</summary>
    public bool Packed { get; init; }

    /// <summary>The image [channels, plane].</summary>
    public float* Image { get; init; }

    /// <summary>Input channels: the row length of the weights.</summary>
    public int Channels { get; init; }

    /// <summary>Weights [out, in] as stored ([out, in, 1, 1]).</summary>
    public float* Weights { get; init; }
    public float* Bias { get; init; }

    /// <summary>The residual image (same layout as the output), or null.</summary>
    public float* Residual { get; init; }
    public float* Output { get; init; }
    public int OutChannels { get; init; }

    /// <summary>Pixels per channel (H·W).</summary>
    public int Plane { get; init; }
    public bool Relu { get; init; }
    public bool Portable { get; init; }

    /// <summary>Pairs of full tiles run on the 32-pixel zmm tile (<see cref="PointwiseConvTile512"/>).</summary>
    public bool Avx512 { get; init; }

    /// <summary>16-pixel tiles in the plane, the last one possibly partial.</summary>
    public int Tiles { get; init; }

    /// <summary>Tiles per block of the tile loop (sized for their panels to stay in L1).</summary>
    public int TilesPerChunk { get; init; }
    public int Chunks { get; init; }

    /// <summary>Parts the output-channel blocks are cut into (for more parallel items).</summary>
    public int ChannelParts { get; init; }

    public int ChannelBlocks => (OutChannels + PointwiseConvTile.R - 1) / PointwiseConvTile.R;

    public int Items => Chunks * ChannelParts;

    /// <summary>Item = (tile chunk, part of the channel blocks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunItem(int item)
    {
        var chunk = item / ChannelParts;
        var part = item % ChannelParts;
        var t0 = chunk * TilesPerChunk;
        var t1 = Math.Min(Tiles, t0 + TilesPerChunk);
        var blocks = ChannelBlocks;
        var b0 = part * blocks / ChannelParts;
        var b1 = (part + 1) * blocks / ChannelParts;
        const int pixels = PointwiseConvTile.Pixels;
        float* panels = null;
        if (Packed)
        {
            panels = (_chunk ??= new PackBuffer()).Get((t1 - t0) * Channels * pixels);
            PointwiseConvPanels.Pack(Image, Channels, Plane, t0, t1, panels);
        }
        // Every block reads the chunk's panels from L1.
        for (var b = b0; b < b1; b++)
        {
            var t = t0;
            if (Avx512)
            {
                var fullEnd = Math.Min(t1, Plane / pixels); // tiles [.., fullEnd) hold 16 pixels each
                if (Packed)
                {
                    for (; t + 1 < fullEnd; t += 2)
                        PointwiseConvTile512.Run(this, b * PointwiseConvTile.R, panels + (long)(t - t0) * Channels * pixels, (long)Channels * pixels, pixels, t * pixels);
                }
                else
                {
                    for (; t + 1 < fullEnd; t += 2)
                        PointwiseConvTile512.Run(this, b * PointwiseConvTile.R, Image + (long)t * pixels, pixels, Plane, t * pixels);
                }
            }
            for (; t < t1; t++) Tile(b, t, Packed ? panels + (long)(t - t0) * Channels * pixels : null);
        }
    }

    [ThreadStatic] private static PackBuffer? _chunk;

    /// <summary>Where tile <paramref name="tile"/> reads channel 0 and how far apart its channels
    /// are: its <paramref name="panel"/> when packed. In place, a partial last tile is copied into
    /// a zero-padded per-thread panel first, as its 16-float loads would read past the image's last
    /// channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (IntPtr Source, long Stride) TileSource(int tile, int count, float* panel)
    {
        const int pixels = PointwiseConvTile.Pixels;
        if (panel != null) return ((IntPtr)panel, pixels);
        var start = Image + (long)tile * pixels;
        if (count == pixels) return ((IntPtr)start, Plane);
        var tail = TailPanel(Channels * pixels);
        for (var ic = 0; ic < Channels; ic++)
        {
            var row = start + (long)ic * Plane;
            var target = tail + ic * pixels;
            for (var j = 0; j < count; j++) target[j] = row[j];
            for (var j = count; j < pixels; j++) target[j] = 0f;
        }
        return ((IntPtr)tail, pixels);
    }

    [ThreadStatic] private static PackBuffer? _tail;

    private static float* TailPanel(int floats) => (_tail ??= new PackBuffer()).Get(floats);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile(int block, int tile, float* panel)
    {
        const int pixels = PointwiseConvTile.Pixels;
        var oc0 = block * PointwiseConvTile.R;
        var pixel = tile * pixels;
        var count = Math.Min(pixels, Plane - pixel);
        var (at, stride) = TileSource(tile, count, panel);
        var source = (float*)at;
        if (count <= pixels / 2)
        {
            if (Portable) PointwiseConvTile.Narrow<PortableFma>(this, oc0, source, stride, pixel, count);
            else PointwiseConvTile.Narrow<HardwareFma>(this, oc0, source, stride, pixel, count);
        }
        else
        {
            if (Portable) PointwiseConvTile.Wide<PortableFma>(this, oc0, source, stride, pixel, count);
            else PointwiseConvTile.Wide<HardwareFma>(this, oc0, source, stride, pixel, count);
        }
    }
}
