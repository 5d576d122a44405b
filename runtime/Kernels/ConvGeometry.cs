namespace DyCompile.Runtime;

/// <summary>The sizes of one convolution (per group): input plane, kernel, stride, padding,
/// dilation and output plane.</summary>
internal readonly record struct ConvGeometry(
    int GroupChannels, int Height, int Width, int KernelHeight, int KernelWidth,
    int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW,
    int OutHeight, int OutWidth)
{
    /// <summary>For kernel column <paramref name="kx"/>: the output columns [Lo, Hi) whose input
    /// column ox·stride + Offset lies inside the image (the rest read padding).</summary>
    public (int Lo, int Hi, int Offset) ValidColumns(int kx)
    {
        var offset = kx * DilationW - PadW;
        // ox·s + offset ≥ 0  ⇔  ox ≥ ⌈−offset / s⌉;   ox·s + offset ≤ W − 1  ⇔  ox ≤ ⌊(W − 1 − offset) / s⌋.
        var lo = offset >= 0 ? 0 : (-offset + StrideW - 1) / StrideW;
        var last = Width - 1 - offset;
        var hi = last < 0 ? 0 : Math.Min(OutWidth, last / StrideW + 1);
        return (Math.Min(lo, OutWidth), hi, offset);
    }
}
