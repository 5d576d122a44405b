using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>One image of a pointwise (1×1, unit stride, no padding, groups = 1) convolution, ready
/// for the register tiles: the image in panels, the weights, bias, residual and output, and how
/// the work is cut into blocks. The plane is flat (H·W pixels); tile t covers pixels
/// [16t, min(16t + 16, H·W)) and reads panel t.</summary>
internal readonly unsafe struct PointwiseConvProblem : IConvItems
{
    /// <summary>The image as panels [tile][channel][16] (<see cref="PointwiseConvPanels"/>), or
    /// null when the tiles read <see cref="Image"/> in place.</summary>
    public float* Panels { get; init; }

    /// <summary>The image [channels, plane] the tiles read in place when there are no panels: with
    /// few input channels a tile reads few rows, and the copy into panels would be a whole extra
    /// pass over an image that is read only once per channel block.</summary>
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
        // Every block reads the chunk's panels from L1.
        for (var b = b0; b < b1; b++)
        {
            var t = t0;
            if (Avx512)
            {
                const int pixels = PointwiseConvTile.Pixels;
                var fullEnd = Math.Min(t1, Plane / pixels); // tiles [.., fullEnd) hold 16 pixels each
                if (Panels != null)
                {
                    for (; t + 1 < fullEnd; t += 2)
                        PointwiseConvTile512.Run(this, b * PointwiseConvTile.R, Panels + (long)t * Channels * pixels, (long)Channels * pixels, pixels, t * pixels);
                }
                else
                {
                    for (; t + 1 < fullEnd; t += 2)
                        PointwiseConvTile512.Run(this, b * PointwiseConvTile.R, Image + (long)t * pixels, pixels, Plane, t * pixels);
                }
            }
            for (; t < t1; t++) Tile(b, t);
        }
    }

    /// <summary>Where tile <paramref name="tile"/> reads channel 0 and how far apart its channels
    /// are. In place, a partial last tile is copied into a zero-padded per-thread panel first, as
    /// its 16-float loads would read past the image's last channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (IntPtr Source, long Stride) TileSource(int tile, int count)
    {
        const int pixels = PointwiseConvTile.Pixels;
        if (Panels != null) return ((IntPtr)(Panels + (long)tile * Channels * pixels), pixels);
        var start = Image + (long)tile * pixels;
        if (count == pixels) return ((IntPtr)start, Plane);
        var panel = TailPanel(Channels * pixels);
        for (var ic = 0; ic < Channels; ic++)
        {
            var row = start + (long)ic * Plane;
            var target = panel + ic * pixels;
            for (var j = 0; j < count; j++) target[j] = row[j];
            for (var j = count; j < pixels; j++) target[j] = 0f;
        }
        return ((IntPtr)panel, pixels);
    }

    [ThreadStatic] private static PackBuffer? _tail;

    private static float* TailPanel(int floats) => (_tail ??= new PackBuffer()).Get(floats);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile(int block, int tile)
    {
        const int pixels = PointwiseConvTile.Pixels;
        var oc0 = block * PointwiseConvTile.R;
        var pixel = tile * pixels;
        var count = Math.Min(pixels, Plane - pixel);
        var (at, stride) = TileSource(tile, count);
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
