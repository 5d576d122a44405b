using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>One image of a dense (groups = 1) direct convolution, ready for the register tiles:
/// the phase image of its input, the per-tap offsets into it, the table of output vectors, the
/// weights, bias, residual and output, and how the work is cut into blocks.</summary>
/// <remarks>
/// Output vector v (up to 8 pixels of one output row) reads tap q at
/// <c>Image + VectorBase[v] + Offsets[q]</c> and writes channel oc at
/// <c>Output + oc·Plane + VectorOutput[v]</c>, its first <c>VectorCount[v]</c> lanes (0 for
/// the filler vectors that round the last tile up). Tile t is vectors t·V .. t·V + V − 1, with V
/// and the vector width those of the tile kind (<see cref="Wide"/>).
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

    /// <summary>The weights repacked [channel block][tap][R] (a block's 4 weights of a tap in one
    /// place, the missing channels of the last block zero), or null to read <see cref="Weights"/>.</summary>
    public float* PackedWeights { get; init; }

    /// <summary>Taps per input-channel block: each tile runs its taps in ranges this long, so the
    /// range's input rows and weights stay in L1 while every tile of a group uses them. At least
    /// <see cref="Depth"/>: one range, no partial sums.</summary>
    public int TapsPerBlock { get; init; }

    /// <summary>Tiles whose partial sums are kept while a tap range sweeps them.</summary>
    public int GroupTiles { get; init; }
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

    /// <summary>Tiles of <see cref="DirectConvTile512"/> (4 vectors of 16 pixels) instead of
    /// <see cref="DirectConvTile"/> (3 of 8); the vector table is built for the one chosen.</summary>
    public bool Wide { get; init; }

    /// <summary>Floats of partial sums per tile of the chosen kind.</summary>
    private int SumFloats => Wide ? DirectConvTile512.SumFloats : DirectConvTile.SumFloats;

    public int ChannelBlocks => (OutChannels + DirectConvTile.R - 1) / DirectConvTile.R;

    public int Items => Chunks * ChannelParts;

    /// <summary>Channel blocks outside the tile loop (a block's weights reused across the chunk
    /// while the chunk's input slab stays in L2) instead of inside it (a tile's inputs reused
    /// from L1 by every block while all the weights stay in L2).</summary>
    public bool BlocksOutside { get; init; }

    /// <summary>Item = (tile chunk, part of the channel blocks).</summary>
    [SkipLocalsInit]
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
        if (TapsPerBlock < Depth)
        {
            RunBlocked(t0, t1, b0, b1);
            return;
        }
        var sums = stackalloc float[Math.Max(DirectConvTile.SumFloats, DirectConvTile512.SumFloats)];
        if (BlocksOutside)
        {
            for (var b = b0; b < b1; b++)
                for (var t = t0; t < t1; t++) Tile(b, t, 0, Depth, sums, true, true);
        }
        else
        {
            for (var t = t0; t < t1; t++)
                for (var b = b0; b < b1; b++) Tile(b, t, 0, Depth, sums, true, true);
        }
    }

    /// <summary>Groups of tiles; per group, each range of taps (a block of input channels) runs
    /// on every (channel block, tile) pair while its input rows and weights are hot, the partial
    /// sums waiting in a per-thread buffer until the last range applies the epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunBlocked(int t0, int t1, int b0, int b1)
    {
        var group = GroupTiles;
        var sumFloats = SumFloats;
        var sums = DirectConv2d.ThreadSums((b1 - b0) * group * sumFloats);
        for (var g0 = t0; g0 < t1; g0 += group)
        {
            var g1 = Math.Min(t1, g0 + group);
            for (var q0 = 0; q0 < Depth; q0 += TapsPerBlock)
            {
                var q1 = Math.Min(Depth, q0 + TapsPerBlock);
                var first = q0 == 0;
                var last = q1 == Depth;
                // Channel blocks outside: a block's weights for the range are reused by every
                // tile of the group from L1 (tiles outside measured no faster).
                for (var b = b0; b < b1; b++)
                    for (var t = g0; t < g1; t++)
                        Tile(b, t, q0, q1, sums + ((b - b0) * group + t - g0) * sumFloats, first, last);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile(int block, int tile, int q0, int q1, float* sums, bool first, bool last)
    {
        if (Wide) DirectConvTile512.Run(this, block * DirectConvTile.R, tile, q0, q1, sums, first, last);
        else if (Portable) DirectConvTile.Run<PortableFma>(this, block * DirectConvTile.R, tile, q0, q1, sums, first, last);
        else DirectConvTile.Run<HardwareFma>(this, block * DirectConvTile.R, tile, q0, q1, sums, first, last);
    }
}
