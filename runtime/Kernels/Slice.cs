namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Elements <c>start, start+step, …</c> below <c>end</c> along <paramref name="dim"/>,
    /// with Python slice rules: negative bounds count from the end, out-of-range bounds clamp,
    /// and an empty range gives an empty dimension. <paramref name="step"/> must be ≥ 1.</summary>
    [OpKernel("slice")]
    public static Tensor Slice(Tensor x, int dim, int start, int end, int step)
    {
        var d = Shapes.NormalizeAxis("slice", dim, x.Rank);
        if (step < 1)
            throw new TensorOpException("slice", $"step must be at least 1, got {step}");
        var size = x.Shape[d];
        var from = ClampSliceBound(start, size);
        var to = ClampSliceBound(end, size);
        var count = to > from ? (int)(((long)to - from + step - 1) / step) : 0;
        return SliceRange(x, d, from, count, step);
    }

    private static int ClampSliceBound(int bound, int size)
    {
        long b = bound < 0 ? (long)bound + size : bound;
        return (int)Math.Clamp(b, 0, size);
    }

    /// <summary><paramref name="count"/> elements from <paramref name="from"/> in steps of
    /// <paramref name="step"/> along normalized dimension <paramref name="d"/>; bounds already valid.</summary>
    internal static Tensor SliceRange(Tensor x, int d, int from, int count, int step)
    {
        var strides = Shapes.Strides(x.Shape);
        var shape = x.ShapeArray();
        shape[d] = count;
        var offset = count == 0 ? 0 : from * strides[d];
        strides[d] *= step;
        return LayoutCopy.Strided(x, offset, shape, strides);
    }
}
