using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>The windows of a 2-D pooling over one plane: which input rows and columns each
/// output row and column covers (clipped to the image), and the divisor of an average.</summary>
internal readonly record struct PoolWindows(
    int Height, int Width, int OutHeight, int OutWidth,
    int KernelHeight, int KernelWidth, int StrideH, int StrideW, int PadH, int PadW, bool IsAdaptive)
{
    public static PoolWindows Sliding(int height, int width, int outHeight, int outWidth, int kh, int kw, int sh, int sw, int ph, int pw) =>
        new(height, width, outHeight, outWidth, kh, kw, sh, sw, ph, pw, IsAdaptive: false);

    public static PoolWindows Adaptive(int height, int width, int outHeight, int outWidth) =>
        new(height, width, outHeight, outWidth, 0, 0, 0, 0, 0, 0, IsAdaptive: true);

    public int[] OutputShape(Tensor input)
    {
        var shape = input.ShapeArray();
        shape[^2] = OutHeight;
        shape[^1] = OutWidth;
        return shape;
    }

    /// <summary>Input rows [start, end) of output row <paramref name="oy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (int Start, int End) Rows(int oy) => IsAdaptive
        ? (oy * Height / OutHeight, ((oy + 1) * Height + OutHeight - 1) / OutHeight)
        : (Math.Max(oy * StrideH - PadH, 0), Math.Min(oy * StrideH - PadH + KernelHeight, Height));

    /// <summary>Input columns [start, end) of output column <paramref name="ox"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (int Start, int End) Columns(int ox) => IsAdaptive
        ? (ox * Width / OutWidth, ((ox + 1) * Width + OutWidth - 1) / OutWidth)
        : (Math.Max(ox * StrideW - PadW, 0), Math.Min(ox * StrideW - PadW + KernelWidth, Width));

    /// <summary>An adaptive average divides by the cells it covers; a sliding one by the whole
    /// window, padding included (count_include_pad).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Divisor(int rows, int columns) => IsAdaptive ? rows * columns : KernelHeight * KernelWidth;
}
