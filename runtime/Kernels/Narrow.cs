namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary><paramref name="length"/> elements from <paramref name="start"/> along
    /// <paramref name="dim"/>: <see cref="Tensor.Narrow"/> with a start known only at run time (a
    /// loop counter), while the result's shape stays known from <paramref name="dim"/> and
    /// <paramref name="length"/>. As in torch.narrow, a negative start counts from the end and the
    /// range must lie inside the dimension; it fails exactly as <see cref="Tensor.Narrow"/> fails.</summary>
    /// <remarks><paramref name="start"/> is an operand, not an attribute: a <c>long</c> kernel
    /// parameter is a host int of the program (docs/ops.md).</remarks>
    [OpKernel("narrow")]
    public static Tensor Narrow(Tensor x, long start, int dim, int length)
    {
        var (d, from) = NarrowRange(x, start, dim, length);
        return SliceRange(x, d, from, length, 1);
    }

    /// <summary><see cref="Narrow"/> into <paramref name="destination"/>, a contiguous tensor of the
    /// result's shape and dtype: one contiguous run of <c>length × inner</c> elements per outer index.</summary>
    public static void NarrowInto(Tensor x, long start, int dim, int length, Tensor destination)
    {
        var (d, from) = NarrowRange(x, start, dim, length);
        var size = x.Shape[d];
        long inner = 1, outer = 1;
        for (var k = d + 1; k < x.Rank; k++) inner *= x.Shape[k];
        for (var k = 0; k < d; k++) outer *= x.Shape[k];
        if (destination.DType != x.DType || destination.Length != outer * length * inner)
            throw new TensorOpException("narrow", $"destination {destination.DType.ShortName()}{Shapes.Format(destination.Shape)} does not hold {length} of dimension {dim} of {x.DType.ShortName()}{Shapes.Format(x.Shape)}");
        var run = (int)(length * inner);
        switch (x.Storage)
        {
            case float[] f: CopyRuns(f, (float[])destination.Storage, outer, size * inner, from * inner, run); break;
            case int[] i: CopyRuns(i, (int[])destination.Storage, outer, size * inner, from * inner, run); break;
            case long[] l: CopyRuns(l, (long[])destination.Storage, outer, size * inner, from * inner, run); break;
            case bool[] b: CopyRuns(b, (bool[])destination.Storage, outer, size * inner, from * inner, run); break;
            default: throw new InvalidOperationException($"unsupported storage {x.Storage.GetType().Name}");
        }
    }

    /// <summary>The normalized dimension and first index of a narrow; throws what
    /// <see cref="Tensor.Narrow"/> throws when the range does not fit.</summary>
    private static (int Dim, int From) NarrowRange(Tensor x, long start, int dim, int length)
    {
        var d = Shapes.NormalizeAxis("dim", dim, x.Rank);
        var size = x.Shape[d];
        var from = start < 0 ? start + size : start;
        if (from < 0 || from > size || length < 0 || from + length > size)
            throw new TensorOpException("narrow", $"narrow of start {start} and length {length} does not fit dimension {dim} of size {size}");
        return (d, (int)from);
    }

    private static void CopyRuns<T>(T[] source, T[] destination, long outer, long sourceStride, long offset, int run)
    {
        for (long o = 0; o < outer; o++)
            Array.Copy(source, o * sourceStride + offset, destination, o * run, run);
    }
}
