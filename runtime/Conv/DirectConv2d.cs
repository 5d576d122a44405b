using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>Dense (groups = 1) NCHW convolution without im2col: the input is copied once per image
/// into a <see cref="PhaseImage"/>, and <see cref="DirectConvTile"/> computes 4 output channels ×
/// 24 output pixels at a time from it (<see cref="DirectConvTile512"/> 4 × 64 on the AVX-512 path,
/// where rows are wider than 8), bias, residual and ReLU included.</summary>
/// <remarks>
/// Blocking: output vectors are grouped into tiles (3 vectors, possibly from several rows when
/// rows are narrow) and tiles into chunks of output rows whose input slab fits in L2. Within a
/// chunk, when the weights fit in L2 every 4-channel weight block runs on a tile while its inputs
/// are in L1 (what few taps per input line, as in a 1×1 kernel, need); otherwise each block
/// sweeps every tile, so its weights stay in L1/L2 while they are reused. With more than 16 input
/// channels on a plane of at least 8 tiles, the taps are cut into blocks of 16 input channels
/// instead: a tile reading all of them would touch 3 rows of every channel plane (24 KB at 64
/// channels, in as many streams) and overflow L1, so each block runs on a group of tiles for every
/// channel block while its rows are hot, partial sums waiting in a small per-thread buffer, with
/// the weights packed so a tap's 4 weights share a cache line. Large problems spread (chunk × channel-block part) items over the GEMM workers.
/// A steady-state call allocates nothing: the phase image and the tables live in per-thread
/// buffers that only grow.
/// </remarks>
internal static unsafe class DirectConv2d
{
    /// <summary>Below this many multiply-adds per image a convolution runs on the calling thread:
    /// waking a worker costs more than it saves.</summary>
    internal const long ParallelThreshold = 1L << 21;

    /// <summary>Bytes of input a chunk of output rows may read (half the 1 MiB L2, leaving room for
    /// the weights and the output).</summary>
    private const long SlabBudget = 512 * 1024;

    /// <summary>Bytes of weights an item may sweep per tile (a quarter of L2): more, and each
    /// weight block sweeps the chunk's tiles instead.</summary>
    private const long WeightBudget = 256 * 1024;

    private const int Lanes = OutputVectors.Lanes;

    /// <summary>Output pixels of one <see cref="DirectConvTile"/>.</summary>
    private const int YmmTilePixels = DirectConvTile.V * Lanes;

    [ThreadStatic] private static PackBuffer? _image;
    [ThreadStatic] private static PackBuffer? _sums;
    [ThreadStatic] private static PackBuffer? _packed;
    [ThreadStatic] private static int[]? _offsets;
    [ThreadStatic] private static int[]? _vectors;

    /// <summary>Input channels per tap range of the blocked tile loop: 16 channels' rows of a
    /// group of tiles (16 × 3 rows × 2 cache lines per tile) and a 4-channel block's weights for
    /// them (16 × 9 taps × 4 floats) stay in the 32 KiB L1 while every tile and channel block of
    /// the group uses them. Measured against 8, 24 and 32 on the zoo's 3×3 layers.</summary>
    private const int ChannelsPerBlock = 16;

    /// <summary>Tiles whose partial sums wait while a tap range sweeps them (4 and 16 measure
    /// the same).</summary>
    private const int GroupTiles = 8;

    /// <summary>Fewest tiles per image for the blocked loop: on smaller planes (8×8 and less) a
    /// group holds every tile, nothing is gained from blocking and the partial sums cost.</summary>
    private const int BlockedMinTiles = 8;

    /// <summary>Images per core from which a batch runs whole images as items even when each
    /// image is large enough to split.</summary>
    private const int ImagesPerCore = 4;

    /// <summary>Fewest output pixels per image for packing the weights (a serial pass over
    /// them, which only a plane this large amortizes).</summary>
    private const int PackMinPlane = 784;

    /// <summary>output[n] = relu?(conv(input[n]) + bias + residual[n]) for every image; input is
    /// [batch, channels, H, W], weight [outChannels, channels, kh, kw], residual (or null) and
    /// output [batch, outChannels, OH, OW]. The residual may be the output itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* input, float* weight, float* bias, float* residual, float* output,
        int batch, int channels, int outChannels, ConvGeometry g, bool relu, bool portable, int maxThreads)
    {
        var layout = new PhaseImage(g);
        var depth = channels * g.KernelHeight * g.KernelWidth;
        var offsets = Grow(ref _offsets, depth);
        var q = 0;
        for (var c = 0; c < channels; c++)
            for (var ky = 0; ky < g.KernelHeight; ky++)
                for (var kx = 0; kx < g.KernelWidth; kx++)
                    offsets[q++] = layout.TapOffset(c, ky, kx);

        // The zmm tile where rows are wider than one ymm vector: on 8-wide and narrower planes half
        // of each 16-pixel vector would be empty.
        var wide = !portable && KernelIsa.Current == SimdPath.Avx512 && g.OutWidth > Lanes;
        var lanes = wide ? DirectConvTile512.Lanes : Lanes;
        var perTile = wide ? DirectConvTile512.V : DirectConvTile.V;
        var perRow = (g.OutWidth + lanes - 1) / lanes;
        var slots = OutputVectors.Build(layout, g, perTile, lanes, ref _vectors);
        var tiles = slots / perTile;
        // Group and plane thresholds are in pixels of the ymm tile (measured there), so both tiles
        // keep the same rows in L1.
        var tilePixels = perTile * lanes;
        var group = Math.Max(1, GroupTiles * YmmTilePixels / tilePixels);
        var table = _vectors!;

        var plane = g.OutHeight * g.OutWidth;
        var work = (long)outChannels * depth * plane;
        var cores = Math.Max(1, Math.Min(maxThreads, Environment.ProcessorCount));
        var threads = work >= ParallelThreshold ? cores : 1;
        // One image per item, each filling its own phase image on its own core: images too small
        // to split across cores but a batch of them worth it, or a batch of at least
        // ImagesPerCore images per core, where whole images share out evenly and each core copies
        // its own input (split images would copy each input on the calling thread alone and pay
        // a fork/join per image).
        var imageItems = batch > 1 && cores > 1 && work * batch >= ParallelThreshold && (threads == 1 || batch >= ImagesPerCore * cores);
        if (imageItems) threads = 1;
        var (tilesPerChunk, chunks, parts) = Blocking(g, channels, outChannels, perRow, perTile, tiles, threads);
        var inPlane = (long)channels * g.Height * g.Width;
        var outImage = (long)outChannels * plane;

        var kernelTaps = g.KernelHeight * g.KernelWidth;
        var blocked = channels > ChannelsPerBlock && tiles * tilePixels >= BlockedMinTiles * YmmTilePixels;
        var tapsPerBlock = blocked ? ChannelsPerBlock * kernelTaps : depth;
        var packed = blocked && plane >= PackMinPlane ? PackedBuffer(outChannels, depth) : null;
        var channelBlocks = (outChannels + DirectConvTile.R - 1) / DirectConvTile.R;

        fixed (int* pOffsets = offsets, pTable = table)
        {
            var template = new DirectConvProblem
            {
                Offsets = pOffsets, Depth = depth,
                VectorBase = pTable, VectorOutput = pTable + slots, VectorCount = pTable + 2 * slots, Tiles = tiles,
                Weights = weight, PackedWeights = packed, TapsPerBlock = tapsPerBlock, GroupTiles = Math.Min(group, tilesPerChunk),
                Bias = bias, Residual = residual, Output = output, OutChannels = outChannels, Plane = plane, Relu = relu,
                TilesPerChunk = tilesPerChunk, Chunks = chunks, ChannelParts = parts, Portable = portable, Wide = wide,
                BlocksOutside = (long)outChannels * depth * sizeof(float) / parts > WeightBudget,
            };
            if (imageItems)
            {
                if (packed != null) PackBlocks(weight, packed, outChannels, depth, 0, channelBlocks);
                var images = new DirectConvImages
                {
                    Template = template, Layout = layout, Input = input, Channels = channels,
                    InputImage = inPlane, OutputImage = outImage, Batch = batch,
                };
                ConvJob<DirectConvImages>.Run(images, cores);
                return;
            }
            var scratch = ThreadImage(layout.Floats(channels));
            for (var n = 0; n < batch; n++)
            {
                var prepare = new DirectConvPrepare
                {
                    Layout = layout, Input = input + n * inPlane, Scratch = scratch, Channels = channels,
                    FillParts = threads == 1 ? 1 : Math.Min(channels, 4 * threads),
                    Weight = weight, Packed = n == 0 ? packed : null, OutChannels = outChannels, Depth = depth,
                    PackParts = threads == 1 ? 1 : Math.Min(channelBlocks, 2 * threads),
                };
                ConvJob<DirectConvPrepare>.Run(prepare, threads);
                var problem = template with
                {
                    Image = scratch,
                    Residual = residual == null ? null : residual + n * outImage,
                    Output = output + n * outImage,
                };
                ConvJob<DirectConvProblem>.Run(problem, threads);
            }
        }
    }

    /// <summary>This thread's phase-image buffer, at least <paramref name="floats"/> long.</summary>
    internal static float* ThreadImage(long floats) => (_image ??= new PackBuffer()).Get(checked((int)floats));

    /// <summary>This thread's buffer of partial sums, at least <paramref name="floats"/> long.</summary>
    internal static float* ThreadSums(int floats) => (_sums ??= new PackBuffer()).Get(floats);

    /// <summary>This thread's buffer for the weights [out, depth] packed as [channel block][tap][R].</summary>
    private static float* PackedBuffer(int outChannels, int depth)
    {
        var blocks = (outChannels + DirectConvTile.R - 1) / DirectConvTile.R;
        return (_packed ??= new PackBuffer()).Get(checked(blocks * DirectConvTile.R * depth));
    }

    /// <summary>Packs channel blocks [b0, b1) of the weights [out, depth] into
    /// <paramref name="packed"/> as [channel block][tap][R], the channels past the last one zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackBlocks(float* weight, float* packed, int outChannels, int depth, int b0, int b1)
    {
        const int r = DirectConvTile.R;
        for (var b = b0; b < b1; b++)
        {
            var block = packed + (long)b * r * depth;
            for (var i = 0; i < r; i++)
            {
                var oc = b * r + i;
                if (oc < outChannels)
                {
                    var row = weight + (long)oc * depth;
                    for (var q = 0; q < depth; q++) block[q * r + i] = row[q];
                }
                else
                {
                    for (var q = 0; q < depth; q++) block[q * r + i] = 0f;
                }
            }
        }
    }

    /// <summary>Tiles per chunk, chunks, and channel-block parts: chunks as large as the L2 slab
    /// budget allows, then (with several threads) enough items to keep every core busy.</summary>
    private static (int TilesPerChunk, int Chunks, int Parts) Blocking(ConvGeometry g, int channels, int outChannels, int perRow, int perTile, int tiles, int threads)
    {
        long paddedWidth = g.Width + 2 * g.PadW;
        var rowBytes = channels * paddedWidth * g.StrideH * sizeof(float);
        var haloBytes = channels * paddedWidth * (g.KernelHeight - 1) * g.DilationH * sizeof(float);
        var rows = (int)Math.Clamp((SlabBudget - haloBytes) / rowBytes, 1, g.OutHeight);
        var tilesPerChunk = Math.Max(1, rows * perRow / perTile);
        return ConvWorkSplit.Split(tiles, tilesPerChunk, (outChannels + DirectConvTile.R - 1) / DirectConvTile.R, threads);
    }

    private static int[] Grow(ref int[]? buffer, int length)
    {
        if (buffer == null || buffer.Length < length) buffer = new int[Math.Max(length, (buffer?.Length ?? 0) * 3 / 2)];
        return buffer;
    }
}
