namespace DyCompile.Runtime;

/// <summary>One image of a dense (groups = 1) direct convolution, ready for the register tiles:
/// the phase image of its input, the per-tap offsets into it, the table of output vectors, the
/// weights, bias, residual and output, and how the work is cut into blocks.</summary>
/// <remarks>
/// Output vector v (up to 8 pixels of one output row) reads tap q at
/// <c>Image + VectorBase[v] + Offsets[q]</c> and writes channel oc at
/// <c>Output + oc·Plane + VectorOutput[v]</c>, its first <c>VectorCount[v]</c> lanes (0 for
/// the filler vectors that round the last tile up). Tile t is vectors t·V .. t·V + V − 1.
/// </remarks>
internal readonly unsafe struct DirectConvProblem : IConvItems
{
    public float* Image { get; init; }
    public int* Offsets { get; init; }

    /// <summary>Taps per output channel: input channels × kh × kw, the row length of the weights.</summary>
    public int Depth { get; init; }

    public int* VectorBase { get; init; }
    public int* VectorOutput { get; init; }
    public int* VectorCount { get; init; }
    public int Tiles { get; init; }

    /// <summary>Weights [out, Depth] as stored ([out, in, kh, kw] is already in tap order).</summary>
    public float* Weights { get; init; }
    public float* Bias { get; init; }

    /// <summary>The residual image (same layout as the output), or null.</summary>
    public float* Residual { get; init; }
    public float* Output { get; init; }
    public int OutChannels { get; init; }

    /// <summary>Output pixels per channel.</summary>
    public int Plane { get; init; }
    public bool Relu { get; init; }

    /// <summary>Tiles per block of the tile loop (sized for the input slab to stay in L2).</summary>
    public int TilesPerChunk { get; init; }
    public int Chunks { get; init; }

    /// <summary>Parts the output-channel blocks are cut into (for more parallel items).</summary>
    public int ChannelParts { get; init; }
    public bool Portable { get; init; }

    public int ChannelBlocks => (OutChannels + DirectConvTile.R - 1) / DirectConvTile.R;

    public int Items => Chunks * ChannelParts;

    /// <summary>Channel blocks outside the tile loop (a block's weights reused across the chunk
    /// while the chunk's input slab stays in L2) instead of inside it (a tile's inputs reused
    /// from L1 by every block while all the weights stay in L2).</summary>
    public bool BlocksOutside { get; init; }

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
        if (BlocksOutside)
        {
            for (var b = b0; b < b1; b++)
                for (var t = t0; t < t1; t++) Tile(b, t);
        }
        else
        {
            for (var t = t0; t < t1; t++)
                for (var b = b0; b < b1; b++) Tile(b, t);
        }
    }

    private void Tile(int block, int tile)
    {
        if (Portable) DirectConvTile.Run<PortableFma>(this, block * DirectConvTile.R, tile);
        else DirectConvTile.Run<HardwareFma>(this, block * DirectConvTile.R, tile);
    }
}
