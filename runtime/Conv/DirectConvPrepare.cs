using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>What a direct convolution of one image does before its tiles: fill the phase image
/// (items 0 .. <see cref="FillParts"/> − 1, ranges of input channels) and, when the weights are
/// packed, pack them (the remaining items, ranges of 4-channel blocks). Split into items so both
/// run on every core: on one core they were up to a tenth of a two-core call (a 224×224 layer's
/// phase image is 13 MB).</summary>
internal readonly unsafe struct DirectConvPrepare : IConvItems
{
    public PhaseImage Layout { get; init; }
    public float* Input { get; init; }
    public float* Scratch { get; init; }
    public int Channels { get; init; }
    public int FillParts { get; init; }

    /// <summary>Weights [out, Depth] and where they are packed, or null for no packing.</summary>
    public float* Weight { get; init; }
    public float* Packed { get; init; }
    public int OutChannels { get; init; }
    public int Depth { get; init; }
    public int PackParts { get; init; }

    public int Items => FillParts + (Packed == null ? 0 : PackParts);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunItem(int item)
    {
        if (item < FillParts)
        {
            var c0 = (int)((long)item * Channels / FillParts);
            var c1 = (int)((long)(item + 1) * Channels / FillParts);
            Layout.Fill(Input, Scratch, c0, c1, Channels);
            return;
        }
        var part = item - FillParts;
        var blocks = (OutChannels + DirectConvTile.R - 1) / DirectConvTile.R;
        DirectConv2d.PackBlocks(Weight, Packed, OutChannels, Depth, part * blocks / PackParts, (part + 1) * blocks / PackParts);
    }
}
