using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>Copies a run of 16-pixel tiles of one image [channels, plane] into the pointwise
/// kernel's panels [tile][channel][16]: each tile's inputs become one contiguous block, so a tile
/// reads sequential memory instead of one line per channel a plane apart (a page, and a TLB entry,
/// per channel on large planes; on planes of a multiple of 4 KiB, such as 224 × 224 or 32 × 32,
/// every channel's line of a tile also falls in the same L1 set). The last tile of a plane that is
/// not a multiple of 16 is zero padded, so no load of the kernel reads past the image.</summary>
internal static unsafe class PointwiseConvPanels
{
    private const int Pixels = PointwiseConvTile.Pixels;

    /// <summary>Tiles [t0, t1) of <paramref name="image"/> into <paramref name="panels"/>, tile t0 first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(float* image, int channels, int plane, int t0, int t1, float* panels)
    {
        var fullEnd = Math.Min(t1, plane / Pixels);
        var tail = t1 > fullEnd ? plane - fullEnd * Pixels : 0;
        var panelFloats = (long)channels * Pixels;
        for (var c = 0; c < channels; c++)
        {
            var source = image + (long)c * plane + (long)t0 * Pixels;
            var target = panels + (long)c * Pixels;
            for (var t = t0; t < fullEnd; t++)
            {
                Vector256.Load(source).Store(target);
                Vector256.Load(source + 8).Store(target + 8);
                source += Pixels;
                target += panelFloats;
            }
            if (tail > 0)
            {
                new ReadOnlySpan<float>(source, tail).CopyTo(new Span<float>(target, tail));
                new Span<float>(target + tail, Pixels - tail).Clear();
            }
        }
    }
}
