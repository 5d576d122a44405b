namespace DyCompile.Runtime;

/// <summary>One image of a pointwise (1×1, unit stride, no padding, groups = 1) convolution, ready
/// for the register tiles: the image read in place, a packed copy of its last partial tile, the
/// weights, bias, residual and output, and how the work is cut into blocks.</summary>
/// <remarks>
/// The plane is flat (H·W pixels, one row of the image per channel). Tile t &lt; FullTiles covers
/// pixels [16t, 16t + 16) and reads the image itself; when the plane is not a multiple of 16 one
/// more tile covers the remaining TailCount pixels from <see cref="Tail"/> ([Channels, 16], zero
/// padded), so no load reads past the image.
/// </remarks>
internal readonly unsafe struct PointwiseConvProblem : IConvItems
{
    public float* Image { get; init; }
    public float* Tail { get; init; }

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

    public int FullTiles { get; init; }
    public int TailCount { get; init; }
    public int Tiles => FullTiles + (TailCount > 0 ? 1 : 0);

    /// <summary>Tiles per block of the tile loop (sized for the input slab to stay in L2).</summary>
    public int TilesPerChunk { get; init; }
    public int Chunks { get; init; }

    /// <summary>Parts the output-channel blocks are cut into (for more parallel items).</summary>
    public int ChannelParts { get; init; }

    public int ChannelBlocks => (OutChannels + PointwiseConvTile.R - 1) / PointwiseConvTile.R;

    public int Items => Chunks * ChannelParts;

    /// <summary>Item = (tile chunk, part of the channel blocks).</summary>
    public void RunItem(int item)
    {
        var chunk = item / ChannelParts;
        var part = item % ChannelParts;
        var t0 = chunk * TilesPerChunk;
        var t1 = Math.Min(Tiles, t0 + TilesPerChunk);
        var blocks = ChannelBlocks;
        var b0 = part * blocks / ChannelParts;
        var b1 = (part + 1) * blocks / ChannelParts;
        // Each block's weights stay in L1 while it sweeps the chunk's input slab (in L2).
        for (var b = b0; b < b1; b++)
            for (var t = t0; t < t1; t++) Tile(b, t);
    }

    private void Tile(int block, int tile)
    {
        var oc0 = block * PointwiseConvTile.R;
        if (tile < FullTiles)
        {
            var pixel = tile * PointwiseConvTile.Pixels;
            if (Portable) PointwiseConvTile.Wide<PortableFma>(this, oc0, Image + pixel, Plane, pixel, PointwiseConvTile.Pixels);
            else PointwiseConvTile.Wide<HardwareFma>(this, oc0, Image + pixel, Plane, pixel, PointwiseConvTile.Pixels);
            return;
        }
        var start = FullTiles * PointwiseConvTile.Pixels;
        var narrow = TailCount <= PointwiseConvTile.Pixels / 2;
        if (Portable)
        {
            if (narrow) PointwiseConvTile.Narrow<PortableFma>(this, oc0, Tail, PointwiseConvTile.Pixels, start, TailCount);
            else PointwiseConvTile.Wide<PortableFma>(this, oc0, Tail, PointwiseConvTile.Pixels, start, TailCount);
        }
        else
        {
            if (narrow) PointwiseConvTile.Narrow<HardwareFma>(this, oc0, Tail, PointwiseConvTile.Pixels, start, TailCount);
            else PointwiseConvTile.Wide<HardwareFma>(this, oc0, Tail, PointwiseConvTile.Pixels, start, TailCount);
        }
    }
}
