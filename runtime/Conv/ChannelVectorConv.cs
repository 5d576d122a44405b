using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>Dense convolutions of stride 1 or 2 with output channels in blocks of 16, on AVX-512 or
/// AVX2: the batch's inputs are copied once into zero-padded images (<see cref="PhaseImage"/> of
/// stride 1) and <see cref="ChannelVectorTile"/> (zmm) or <see cref="ChannelVectorTile256"/> (ymm)
/// computes 16 channels × 16 pixels at a time from them with weights packed once per weight tensor
/// (<see cref="ChannelVectorWeights"/>). It covers the
/// k×k layers of the CIFAR and ImageNet networks (planes 8 to 224 wide), where the
/// NCHW direct tiles spend as long on loads that cross cache lines as on the FMAs.</summary>
internal static unsafe class ChannelVectorConv
{
    /// <summary>Whether the kernel runs the convolution: one group and out channels a multiple of 16,
    /// on row tiles (<see cref="CoversRows"/>) or, for a small plane, on gathered columns
    /// (<see cref="CoversSmallPlane"/>).</summary>
    public static bool Covers(ConvGeometry g, int groups, int outChannels) => CoversRows(g, groups, outChannels) || CoversSmallPlane(g, groups, outChannels);

    /// <summary>Row tiles: stride 1 or 2 on both axes, unit dilation, and output rows wider than 8
    /// (tiles of 16 pixels of a row, the last one partial) or 8 wide with an even number of rows
    /// (tiles of two rows). Narrower rows would leave most of each tile empty.</summary>
    private static bool CoversRows(ConvGeometry g, int groups, int outChannels) =>
        groups == 1 && g.StrideH == g.StrideW && g.StrideH is 1 or 2 && g.DilationH == 1 && g.DilationW == 1
        && outChannels % ChannelVectorTile.Channels == 0 && g.GroupChannels > 0
        && (g.OutWidth > 8 || (g.OutWidth == 8 && g.OutHeight % 2 == 0));

    /// <summary>Planes of at most <see cref="SmallPlanePixels"/> pixels that the row tiles do not
    /// cover (rows narrower than 8, or 8 wide with an odd number of rows), any stride and
    /// dilation: their inputs are gathered into <see cref="ChannelVectorColumns"/>, so one tile
    /// takes 16 pixels of the whole plane.</summary>
    private static bool CoversSmallPlane(ConvGeometry g, int groups, int outChannels) =>
        groups == 1 && outChannels % ChannelVectorTile.Channels == 0 && g.GroupChannels > 0
        && g.OutHeight * g.OutWidth <= SmallPlanePixels && !CoversRows(g, groups, outChannels);

    /// <summary>Largest plane gathered into columns: the columns repeat each input pixel up to
    /// kh·kw times, which costs little while the plane is a few tiles.</summary>
    private const int SmallPlanePixels = 64;

    /// <summary>Floats of padded images filled before the tiles run on them (2 MiB): the copies of a
    /// group are still in cache when the tiles read them. Filling a whole batch of large images
    /// first (16 ImageNet stems are 10 MiB) sends every copy to memory and back.</summary>
    private const long ImageBudget = 1L << 19;

    [ThreadStatic] private static PackBuffer? _images;

    /// <summary>output = relu?(conv(input) + bias + residual) for a batch; see
    /// <see cref="DirectConv2d.Run"/> for the operands. With <paramref name="keepPackedWeights"/>
    /// the packed weights are kept per weight tensor (<see cref="ChannelVectorWeights.Cached"/>);
    /// <paramref name="wide"/> runs the AVX-512 tiles, else the AVX2 ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* input, Tensor weight, float* bias, float* residual, float* output,
        int batch, int channels, int outChannels, ConvGeometry g, bool relu, bool keepPackedWeights, bool wide, int maxThreads)
    {
        if (!CoversRows(g, 1, outChannels))
        {
            RunSmallPlane(input, weight, bias, residual, output, batch, channels, outChannels, g, relu, keepPackedWeights, wide, maxThreads);
            return;
        }
        // The padded image itself (one phase): a stride-2 tile reads every other column of it.
        var layout = new PhaseImage(g with { StrideH = 1, StrideW = 1 });
        var imageFloats = layout.Floats(channels);
        var inputImage = (long)channels * g.Height * g.Width;
        var plane = g.OutHeight * g.OutWidth;
        var outputImage = (long)outChannels * plane;
        var kept = keepPackedWeights ? ChannelVectorWeights.Cached(weight) : null;
        var packed = kept != null ? kept.Data : ChannelVectorWeights.PackedNow(weight);
        var blocks = outChannels / ChannelVectorTile.Channels;
        var tilePixels = ChannelVectorProblem.UsesTilesOf14(g.OutWidth, g.StrideW, g.KernelWidth, blocks) ? 14 : ChannelVectorTile.Pixels;
        var tilesPerRow = g.OutWidth == 8 ? 0 : (g.OutWidth + tilePixels - 1) / tilePixels;
        var tiles = tilesPerRow == 0 ? plane / ChannelVectorTile.Pixels : g.OutHeight * tilesPerRow;
        var cores = Math.Max(1, Math.Min(maxThreads, Environment.ProcessorCount));
        var problem = new ChannelVectorProblem
        {
            RowStride = layout.RowStride, ChannelSize = layout.ChannelSize, Weights = packed, Bias = bias, Residual = residual, Output = output,
            Relu = relu, Stride = g.StrideH, InChannels = channels, KernelHeight = g.KernelHeight, KernelWidth = g.KernelWidth,
            Depth = channels * g.KernelHeight * g.KernelWidth, OutWidth = g.OutWidth, Plane = plane, OutputImage = outputImage,
            TilesPerRow = tilesPerRow, TilePixels = tilePixels, Blocks = blocks, Tiles = tiles, Wide = wide,
        };
        // A batch of at least two images per core runs image by image as well, each copied into
        // its core's own buffer just before its tiles, rather than the whole batch copied first
        // (1.2 MB for 16 CIFAR images of 16 channels, past the L2): level to 1.12× faster on the
        // CIFAR layers at batch 4 and 16 on a Zen 4, both builds alternating in one process.
        var imageByImage = batch >= 2 * cores;
        if (tilesPerRow > 0 && (imageFloats > ImageBudget || imageByImage))
        {
            // Larger than the budget on its own: the image in bands of rows, each copied as it is used.
            var bandOutputRows = ChannelVectorBands.OutputRowsPerBand((long)channels * layout.RowStride, g.StrideH, g.KernelHeight, g.OutHeight);
            var bandRows = (bandOutputRows - 1) * g.StrideH + g.KernelHeight;
            var bands = (g.OutHeight + bandOutputRows - 1) / bandOutputRows;
            var work = (long)outChannels * channels * g.KernelHeight * g.KernelWidth * plane * batch;
            ConvJob<ChannelVectorBands>.Run(new ChannelVectorBands
            {
                Problem = problem with { ChannelSize = bandRows * layout.RowStride },
                Layout = layout, Input = input, InputImage = inputImage, Channels = channels,
                BandOutputRows = bandOutputRows, BandRows = bandRows, Bands = bands, OutHeight = g.OutHeight, Batch = batch,
            }, work >= DirectConv2d.ParallelThreshold ? cores : 1);
            GC.KeepAlive(kept);
            return;
        }
        // Images in groups whose padded copies fit the budget (a batch of large images would need
        // a copy as large as the input).
        var group = (int)Math.Clamp(ImageBudget / imageFloats, 1, batch);
        var images = (_images ??= new PackBuffer()).Get(checked((int)(group * imageFloats)));
        var groupWork = (long)outChannels * channels * g.KernelHeight * g.KernelWidth * plane * group;
        var threads = groupWork >= DirectConv2d.ParallelThreshold ? cores : 1;
        for (var n0 = 0; n0 < batch; n0 += group)
        {
            var count = Math.Min(group, batch - n0);
            ConvJob<PaddedImages>.Run(new PaddedImages
            {
                Layout = layout, Input = input + n0 * inputImage, InputImage = inputImage, Images = images, ImageFloats = imageFloats,
                Channels = channels, Parts = threads == 1 ? 1 : Math.Min(channels, Math.Max(1, 4 * threads / count)), Batch = count,
            }, threads);
            // About three items per thread across the images, so a core descheduled on a loaded
            // machine does not hold the call up; a chunk of tiles runs on inputs that stay hot.
            var pairs = (blocks + 1) / 2;
            var chunks = threads == 1 ? 1 : Math.Clamp((3 * threads + count * pairs - 1) / (count * pairs), 1, tiles);
            var tilesPerChunk = (tiles + chunks - 1) / chunks;
            chunks = (tiles + tilesPerChunk - 1) / tilesPerChunk;
            ConvJob<ChannelVectorProblem>.Run(problem with
            {
                Images = images, ImageFloats = imageFloats,
                Residual = residual == null ? null : residual + n0 * outputImage, Output = output + n0 * outputImage,
                TilesPerChunk = tilesPerChunk, Chunks = chunks, Batch = count,
            }, threads);
        }
        GC.KeepAlive(kept);
    }

    /// <summary><see cref="Run"/> for a small plane: each image's inputs gathered into columns, then
    /// the tile over the plane as one row of pixels (kernel 1 × 1 over the taps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunSmallPlane(float* input, Tensor weight, float* bias, float* residual, float* output,
        int batch, int channels, int outChannels, ConvGeometry g, bool relu, bool keepPackedWeights, bool wide, int maxThreads)
    {
        var columns = new ChannelVectorColumns(g, channels);
        var group = (int)Math.Clamp(ImageBudget / columns.Floats, 1, batch);
        var images = (_images ??= new PackBuffer()).Get(checked((int)(group * columns.Floats)));
        var inputImage = (long)channels * g.Height * g.Width;
        var plane = columns.Plane;
        var outputImage = (long)outChannels * plane;
        var work = (long)outChannels * columns.Taps * plane * group;
        var cores = Math.Max(1, Math.Min(maxThreads, Environment.ProcessorCount));
        var threads = work >= DirectConv2d.ParallelThreshold ? cores : 1;

        var kept = keepPackedWeights ? ChannelVectorWeights.Cached(weight) : null;
        var packed = kept != null ? kept.Data : ChannelVectorWeights.PackedNow(weight);
        var tiles = columns.TapStride / ChannelVectorTile.Pixels;
        var blocks = outChannels / ChannelVectorTile.Channels;
        for (var n0 = 0; n0 < batch; n0 += group)
        {
            var count = Math.Min(group, batch - n0);
            ConvJob<GatheredImages>.Run(new GatheredImages
            {
                Columns = columns, Input = input + n0 * inputImage, InputImage = inputImage, Images = images, Batch = count,
            }, threads);
            ConvJob<ChannelVectorProblem>.Run(new ChannelVectorProblem
            {
                Images = images, ImageFloats = columns.Floats, RowStride = 0, ChannelSize = columns.TapStride,
                Weights = packed, Bias = bias, Residual = residual == null ? null : residual + n0 * outputImage,
                Output = output + n0 * outputImage, Relu = relu, Stride = 1,
                InChannels = columns.Taps, KernelHeight = 1, KernelWidth = 1,
                Depth = columns.Taps, OutWidth = plane, Plane = plane,
                OutputImage = outputImage, TilesPerRow = tiles, TilePixels = ChannelVectorTile.Pixels, Blocks = blocks, Tiles = tiles,
                TilesPerChunk = 1, Chunks = tiles, Batch = count, Wide = wide,
            }, threads);
        }
        GC.KeepAlive(kept);
    }

    /// <summary>Gathers the columns of each image: one item per image.</summary>
    private readonly struct GatheredImages : IConvItems
    {
        public ChannelVectorColumns Columns { get; init; }
        public float* Input { get; init; }
        public long InputImage { get; init; }
        public float* Images { get; init; }
        public int Batch { get; init; }

        public int Items => Batch;

        public void RunItem(int item) => Columns.Fill(Input + item * InputImage, Images + item * Columns.Floats);
    }

    /// <summary>Fills the padded images: items are (image, range of channels).</summary>
    private readonly struct PaddedImages : IConvItems
    {
        public PhaseImage Layout { get; init; }
        public float* Input { get; init; }
        public long InputImage { get; init; }
        public float* Images { get; init; }
        public long ImageFloats { get; init; }
        public int Channels { get; init; }
        public int Parts { get; init; }
        public int Batch { get; init; }

        public int Items => Batch * Parts;

        public void RunItem(int item)
        {
            var n = item / Parts;
            var part = item % Parts;
            var c0 = (int)((long)part * Channels / Parts);
            var c1 = (int)((long)(part + 1) * Channels / Parts);
            Layout.Fill(Input + n * InputImage, Images + n * ImageFloats, c0, c1, Channels);
        }
    }
}
