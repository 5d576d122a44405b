using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>A batch of convolutions (stride 1 or 2) for <see cref="ChannelVectorTile"/>, after the
/// padded images are filled: items are (image, pair of blocks of 16 output channels, chunk of
/// tiles), each running its chunk's tiles for its channel blocks.</summary>
internal readonly unsafe struct ChannelVectorProblem : IConvItems
{
    /// <summary>The zero-padded images, <see cref="ImageFloats"/> apart.</summary>
    public float* Images { get; init; }
    public long ImageFloats { get; init; }
    public int RowStride { get; init; }
    public int ChannelSize { get; init; }

    /// <summary>Weights packed by <see cref="ChannelVectorWeights"/>.</summary>
    public float* Weights { get; init; }
    public float* Bias { get; init; }

    /// <summary>The residual (the output's layout) or null; it may be the output itself.</summary>
    public float* Residual { get; init; }
    public float* Output { get; init; }
    public bool Relu { get; init; }

    /// <summary>The stride of both axes, 1 or 2.</summary>
    public int Stride { get; init; }

    public int InChannels { get; init; }
    public int KernelHeight { get; init; }
    public int KernelWidth { get; init; }

    /// <summary>Taps per output channel: InChannels × KernelHeight × KernelWidth.</summary>
    public int Depth { get; init; }
    public int OutWidth { get; init; }

    /// <summary>Output pixels per channel.</summary>
    public int Plane { get; init; }

    /// <summary>Output floats per image.</summary>
    public long OutputImage { get; init; }

    /// <summary>Tiles per output row, or 0 on 8-wide planes, where a tile is two whole rows.</summary>
    public int TilesPerRow { get; init; }

    /// <summary>Pixels of a row tile: <see cref="ChannelVectorTile.Pixels"/>, or 14 (halves of 7,
    /// <see cref="HalfOfSeven"/>) where <see cref="UsesTilesOf14"/> holds.</summary>
    public int TilePixels { get; init; }

    public int Blocks { get; init; }
    public int Tiles { get; init; }

    /// <summary>Whether the tiles are the AVX-512 ones (<see cref="ChannelVectorTile"/>); else the
    /// AVX2 ones (<see cref="ChannelVectorTile256"/>). Chosen on the calling thread, where a test may
    /// cap the path.</summary>
    public bool Wide { get; init; }

    public int TilesPerChunk { get; init; }
    public int Chunks { get; init; }
    public int Batch { get; init; }

    /// <summary>Channel blocks taken two at a time (<see cref="ChannelVectorTile.RunPair{TStride}"/>);
    /// an odd count leaves a last single block.</summary>
    public int BlockPairs => (Blocks + 1) / 2;

    public int Items => Batch * BlockPairs * Chunks;

    /// <summary>Whether rows of <paramref name="outWidth"/> take tiles of 14: a multiple of 7 but
    /// not of 8 (14, 28), on a problem where every item runs <see cref="ChannelVectorTile.RunPairRow3{THalf}"/>
    /// (unit stride, 3 wide, an even number of channel blocks). Halves of 8 leave 2 of 16 lanes
    /// empty on a 14-wide row and 4 of 32 on a 28-wide one.</summary>
    public static bool UsesTilesOf14(int outWidth, int stride, int kernelWidth, int blocks) =>
        stride == 1 && kernelWidth == 3 && blocks % 2 == 0 && outWidth > 8 && outWidth % 7 == 0 && outWidth % 8 != 0;

    /// <summary>Input channels per range of <see cref="RunPairsRow3"/>: a pair's weights for 64 channels
    /// of a 3×3 kernel are 72 KiB.</summary>
    private const int ChannelRange = 64;

    /// <summary>Tiles that share a channel range's weights: their sums wait in 16 KiB of stack.</summary>
    private const int TilesPerRange = 8;

    /// <summary>Tiles [t0, t1) of a block pair. Up to <see cref="ChannelRange"/> input channels at once;
    /// deeper layers take the channels in ranges across <see cref="TilesPerRange"/> tiles, since each
    /// tile would otherwise stream the pair's weights for every channel (590 KiB at 512 channels, more
    /// than stays in cache beside the images) twice, once per half.</summary>
    [SkipLocalsInit]
    private void RunPairsRow3<THalf>(float* image, float* residual, float* output, int block, int t0, int t1)
        where THalf : struct, ITileHalf
    {
        if (InChannels <= ChannelRange)
        {
            for (var t = t0; t < t1; t++) ChannelVectorTile.RunPairRow3<THalf>(this, image, residual, output, block, t, 0, InChannels, null);
            return;
        }
        var buffer = stackalloc byte[TilesPerRange * 2 * ChannelVectorTile.Pixels * 64 + 64];
        var partial = (Vector512<float>*)(((nint)buffer + 63) & ~(nint)63);
        for (var ts = t0; ts < t1; ts += TilesPerRange)
        {
            var te = Math.Min(t1, ts + TilesPerRange);
            for (var c0 = 0; c0 < InChannels; c0 += ChannelRange)
            {
                var c1 = Math.Min(InChannels, c0 + ChannelRange);
                for (var t = ts; t < te; t++)
                    ChannelVectorTile.RunPairRow3<THalf>(this, image, residual, output, block, t, c0, c1, partial + (t - ts) * 2 * ChannelVectorTile.Pixels);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunItem(int item)
    {
        var chunk = item % Chunks;
        var block = 2 * (item / Chunks % BlockPairs);
        var n = item / (Chunks * BlockPairs);
        var t0 = chunk * TilesPerChunk;
        RunTiles(Images + n * ImageFloats, Residual == null ? null : Residual + n * OutputImage, Output + n * OutputImage,
            block, t0, Math.Min(Tiles, (chunk + 1) * TilesPerChunk));
    }

    /// <summary>Tiles [t0, t1) of the channel blocks <paramref name="block"/> and, when there is one,
    /// block + 1, of the image at <paramref name="image"/> (its residual and output given).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTiles(float* image, float* residual, float* output, int block, int t0, int t1)
    {
        if (!Wide)
        {
            RunTiles256(image, residual, output, block, t0, t1);
            return;
        }
        var pair = block + 1 < Blocks;
        if (Stride == 2)
        {
            if (pair) for (var t = t0; t < t1; t++) ChannelVectorTile.RunPair<DoubleStride>(this, image, residual, output, block, t);
            else for (var t = t0; t < t1; t++) ChannelVectorTile.Run<DoubleStride>(this, image, residual, output, block, t);
        }
        else
        {
            if (pair && KernelWidth == 3 && TilePixels == 14) RunPairsRow3<HalfOfSeven>(image, residual, output, block, t0, t1);
            else if (pair && KernelWidth == 3) RunPairsRow3<HalfOfEight>(image, residual, output, block, t0, t1);
            else if (pair) for (var t = t0; t < t1; t++) ChannelVectorTile.RunPair<UnitStride>(this, image, residual, output, block, t);
            else if (KernelWidth == 3 && TilesPerRow > 0) for (var t = t0; t < t1; t++) ChannelVectorTile.RunRow3(this, image, residual, output, block, t);
            else for (var t = t0; t < t1; t++) ChannelVectorTile.Run<UnitStride>(this, image, residual, output, block, t);
        }
    }

    /// <summary><see cref="RunTiles"/> on the AVX2 tiles: each tile for both channel blocks while its
    /// inputs are in L1, deep layers in ranges of <see cref="ChannelRange"/> input channels across
    /// <see cref="TilesPerRange"/> tiles, as on the AVX-512 path.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunTiles256(float* image, float* residual, float* output, int block, int t0, int t1)
    {
        var blocks = block + 1 < Blocks ? 2 : 1;
        var ranged = InChannels > ChannelRange;
        var range = ranged ? ChannelRange : InChannels;
        var tilesPerRange = ranged ? TilesPerRange : 1;
        var buffer = stackalloc float[TilesPerRange * 2 * ChannelVectorTile256.SumFloats + 8];
        var sums = (float*)(((nint)buffer + 31) & ~(nint)31);
        for (var ts = t0; ts < t1; ts += tilesPerRange)
        {
            var te = Math.Min(t1, ts + tilesPerRange);
            for (var c0 = 0; c0 < InChannels; c0 += range)
            {
                var c1 = Math.Min(InChannels, c0 + range);
                for (var t = ts; t < te; t++)
                    for (var b = 0; b < blocks; b++)
                        ChannelVectorTile256.Run(this, image, residual, output, block + b, t, c0, c1,
                            sums + ((t - ts) * blocks + b) * ChannelVectorTile256.SumFloats);
            }
        }
    }
}
