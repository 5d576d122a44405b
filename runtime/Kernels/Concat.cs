namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Joins tensors of one dtype along <paramref name="dim"/>; every other dimension must agree.</summary>
    [OpKernel("concat")]
    public static Tensor Concat(Tensor[] tensors, int dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0)
            throw new TensorOpException("concat", "needs at least one tensor");
        var first = tensors[0];
        var d = Shapes.NormalizeAxis("concat", dim, first.Rank);
        var shape = first.ShapeArray();
        shape[d] = 0;
        foreach (var t in tensors)
        {
            if (t.DType != first.DType)
                throw new TensorOpException("concat", $"dtypes differ: {first.DType.ShortName()} and {t.DType.ShortName()}");
            if (t.Rank != first.Rank)
                throw TensorOpException.ShapeMismatch("concat", first.Shape, t.Shape, "ranks differ");
            for (var i = 0; i < t.Rank; i++)
                if (i != d && t.Shape[i] != first.Shape[i])
                    throw TensorOpException.ShapeMismatch("concat", first.Shape, t.Shape, $"sizes differ in dimension {i} (concatenating along {dim})");
            shape[d] = checked(shape[d] + t.Shape[d]);
        }
        // Every element is copied in: a float result skips the zeroing (a pass over the result,
        // paid per token where a sequence model appends one row at a time).
        var result = first.DType == DType.Float32 ? DenseArgs.Uninitialized(shape) : Tensor.Zeros(first.DType, shape);
        if (result.Length == 0) return result;
        var outer = Shapes.ElementCount(shape.AsSpan(0, d));
        var inner = Shapes.ElementCount(shape.AsSpan(d + 1));
        var position = 0;
        for (var o = 0; o < outer; o++)
            foreach (var t in tensors)
            {
                var chunk = t.Shape[d] * inner;
                Array.Copy(t.Storage, o * chunk, result.Storage, position, chunk);
                position += chunk;
            }
        return result;
    }

    /// <summary>Cuts <paramref name="x"/> along <paramref name="dim"/> into pieces of the given
    /// sizes, which must sum to that dimension.</summary>
    [OpKernel("split")]
    public static Tensor[] Split(Tensor x, int[] sizes, int dim)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var d = Shapes.NormalizeAxis("split", dim, x.Rank);
        long total = 0;
        foreach (var s in sizes)
        {
            if (s < 0)
                throw new TensorOpException("split", $"sizes {Shapes.Format(sizes)} contain a negative size");
            total += s;
        }
        if (total != x.Shape[d])
            throw new TensorOpException("split", $"sizes {Shapes.Format(sizes)} sum to {total}, but dimension {dim} of shape {Shapes.Format(x.Shape)} has size {x.Shape[d]}");
        var result = new Tensor[sizes.Length];
        var from = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            result[i] = SliceRange(x, d, from, sizes[i], 1);
            from += sizes[i];
        }
        return result;
    }
}
