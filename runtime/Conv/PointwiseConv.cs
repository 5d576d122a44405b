using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>Pointwise convolution (1×1 kernel, unit stride, no padding, groups = 1) over NCHW:
/// per image out [Cout, H·W] = W [Cout, Cin] · In [Cin, H·W] + bias, with the residual and ReLU
/// fused, computed by <see cref="PointwiseConvTile"/> from 16-pixel panels of the image
/// (<see cref="PointwiseConvPanels"/>, reused by every output channel) and the weight rows as stored.</summary>
/// <remarks>
/// Blocking: 16-pixel tiles are grouped into chunks whose panels (Cin × 16 floats each) fit in half
/// of L1. Each work item copies its chunk into panels and every 6-channel block sweeps it, so the
/// chunk is read from L1 by all the blocks while the weights stream from L2 (or L3); the panels
/// never leave the cache (a copy of the whole image first was as fast on 256–1024 channels and
/// wrote and read the image once more). Large problems spread (chunk × channel-block part) items
/// over the GEMM workers. A steady-state call allocates nothing: the panels live in a per-thread
/// buffer that only grows.
/// </remarks>
internal static unsafe class PointwiseConv
{
    /// <summary>Below this many multiply-adds per image a convolution runs on the calling thread:
    /// waking a worker costs more than it saves.</summary>
    internal const long ParallelThreshold = 1L << 21;

    /// <summary>Bytes of panels a chunk of tiles may read (half the 32 KiB L1): every weight block
    /// then reads the chunk from L1, and the weights stream from L2 once per chunk. Measured against
    /// chunks of half the L2 (each block's weights in L1, the panels streaming from L2): as fast
    /// on ≤ 64 input channels, 10–25 % faster on 128–1024.</summary>
    private const long SlabBudget = 16 * 1024;

    /// <summary>Up to this many input channels the tiles read the image in place instead of
    /// panels, unless its planes alias in L1 (<see cref="PlanesAlias"/>): a tile's rows are then few
    /// enough streams for the prefetchers, and the copy costs more than it saves (two images of
    /// 16 → 64 at 112 × 112: 0.87 ms in place against 0.94 packed).</summary>
    internal const int InPlaceMaxChannels = 32;

    /// <summary>Whether the image's planes are a multiple of 4 KiB apart, so a tile's line of every
    /// channel falls in the same set of the 8-way L1 and a tile of more than 8 channels read in
    /// place evicts its own inputs. Packed chunks then win even with few channels: against reading
    /// in place, the two builds alternating in one process on a Zen 3 (<c>--ab</c>), two images
    /// of 32 → 64 at 224 × 224 12.3 → 8.8 ms, of 16 → 64 at 224 × 224 5.8 → 4.7 ms.</summary>
    internal static bool PlanesAlias(int plane) => plane % 1024 == 0;

    /// <summary>output[n] = relu?(W · input[n] + bias + residual[n]) for every image; input is
    /// [batch, channels, plane], weight [outChannels, channels], residual (or null) and output
    /// [batch, outChannels, plane]. The residual may be the output itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* input, float* weight, float* bias, float* residual, float* output,
        int batch, int channels, int outChannels, int plane, bool relu, bool portable, int maxThreads)
    {
        const int pixels = PointwiseConvTile.Pixels;
        var tiles = (plane + pixels - 1) / pixels;
        var work = (long)outChannels * channels * plane;
        var threads = work >= ParallelThreshold ? Math.Max(1, Math.Min(maxThreads, Environment.ProcessorCount)) : 1;
        var (tilesPerChunk, chunks, parts) = Blocking(channels, outChannels, tiles, threads);
        var template = new PointwiseConvProblem
        {
            Packed = channels > InPlaceMaxChannels || (channels > 8 && PlanesAlias(plane)), Channels = channels, Weights = weight, Bias = bias, OutChannels = outChannels, Plane = plane,
            Relu = relu, Portable = portable, Avx512 = !portable && KernelIsa.Current == SimdPath.Avx512, Tiles = tiles, TilesPerChunk = tilesPerChunk, Chunks = chunks, ChannelParts = parts,
        };
        var inImage = (long)channels * plane;
        var outImage = (long)outChannels * plane;
        for (var n = 0; n < batch; n++)
        {
            ConvJob<PointwiseConvProblem>.Run(template with
            {
                Image = input + n * inImage,
                Residual = residual == null ? null : residual + n * outImage,
                Output = output + n * outImage,
            }, threads);
        }
    }

    /// <summary>Tiles per chunk, chunks, and channel-block parts: chunks as large as the L2 slab
    /// budget allows, then (with several threads) enough items to keep every core busy.</summary>
    private static (int TilesPerChunk, int Chunks, int Parts) Blocking(int channels, int outChannels, int tiles, int threads)
    {
        var tileBytes = (long)channels * PointwiseConvTile.Pixels * sizeof(float);
        var tilesPerChunk = (int)Math.Clamp(SlabBudget / tileBytes, 1, tiles);
        return ConvWorkSplit.Split(tiles, tilesPerChunk, (outChannels + PointwiseConvTile.R - 1) / PointwiseConvTile.R, threads);
    }
}
