using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>A batch of <see cref="ChannelVectorConv"/> convolutions on images whose padded copies
/// are too large to stay in cache (a 64-channel 224 × 224 image is 13 MB): items are (image, band
/// of output rows). Each fills the padded rows its band reads into a buffer of its own core, about
/// half its L2 cache, and runs every channel block's tiles of the band on them while they are hot.
/// Copying a whole image first sends the copy to memory and back, a pass as long as the input
/// itself on every layer of an ImageNet network's first stages.</summary>
internal readonly unsafe struct ChannelVectorBands : IConvItems
{
    /// <summary>Padded floats a band aims at: 512 KiB, half the L2 of a core, beside the weights and the output rows.</summary>
    public const long BandBudget = 1L << 17;

    [ThreadStatic] private static PackBuffer? _band;

    /// <summary>The tiles' problem, its images one band each: <see cref="ChannelVectorProblem.ChannelSize"/>
    /// is a band's channel (<see cref="BandRows"/> padded rows).</summary>
    public ChannelVectorProblem Problem { get; init; }

    public PhaseImage Layout { get; init; }
    public float* Input { get; init; }
    public long InputImage { get; init; }
    public int Channels { get; init; }

    /// <summary>Output rows per band, and padded rows a band reads: (rows − 1)·stride + kernel height.</summary>
    public int BandOutputRows { get; init; }
    public int BandRows { get; init; }
    public int Bands { get; init; }
    public int OutHeight { get; init; }
    public int Batch { get; init; }

    public int Items => Batch * Bands;

    /// <summary>Output rows per band for a layer whose padded row of all channels is
    /// <paramref name="rowFloats"/> floats: as many as fill <see cref="BandBudget"/>, at least one.</summary>
    public static int OutputRowsPerBand(long rowFloats, int stride, int kernelHeight, int outHeight) =>
        (int)Math.Clamp((BandBudget / rowFloats - kernelHeight) / stride + 1, 1, outHeight);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunItem(int item)
    {
        var n = item / Bands;
        var y0 = item % Bands * BandOutputRows;
        var y1 = Math.Min(OutHeight, y0 + BandOutputRows);
        var p = Problem;
        var band = (_band ??= new PackBuffer()).Get(checked((int)Layout.BandFloats(Channels, BandRows)));
        // The last band's rows past the padded image are filled with zeros and never read.
        Layout.FillBand(Input + n * InputImage, band, y0 * p.Stride, BandRows, Channels);
        // The tiles address padded row Y at image + Y·RowStride: the band starts at row y0·stride.
        var image = band - (long)y0 * p.Stride * p.RowStride;
        var output = p.Output + n * p.OutputImage;
        var residual = p.Residual == null ? null : p.Residual + n * p.OutputImage;
        for (var block = 0; block < p.Blocks; block += 2)
            p.RunTiles(image, residual, output, block, y0 * p.TilesPerRow, y1 * p.TilesPerRow);
    }
}
