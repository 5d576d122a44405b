using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>Copies one image [channels, plane] into the pointwise kernel's panels
/// [tile][channel][16]: each 16-pixel tile's inputs become one contiguous block, so a tile reads
/// sequential memory (a few pages) instead of one line per channel a plane apart (a page, and a
/// TLB entry, per channel on large planes). The last tile of a plane that is not a multiple of 16
/// is zero padded, so no load of the kernel reads past the image. Items are ranges of channels.</summary>
internal readonly unsafe struct PointwiseConvPanels : IConvItems
{
    private const int Pixels = PointwiseConvTile.Pixels;

    public float* Image { get; init; }
    public float* Panels { get; init; }
    public int Channels { get; init; }
    public int Plane { get; init; }
    public int Parts { get; init; }

    public int Items => Parts;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunItem(int item)
    {
        var c0 = (int)((long)item * Channels / Parts);
        var c1 = (int)((long)(item + 1) * Channels / Parts);
        var fullTiles = Plane / Pixels;
        var tail = Plane % Pixels;
        var panelFloats = (long)Channels * Pixels;
        for (var c = c0; c < c1; c++)
        {
            var source = Image + (long)c * Plane;
            var target = Panels + (long)c * Pixels;
            for (var t = 0; t < fullTiles; t++)
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
