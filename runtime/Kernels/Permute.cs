namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Reorders dimensions: result dimension i is input dimension <c>dims[i]</c>.</summary>
    [OpKernel("permute")]
    public static Tensor Permute(Tensor x, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var rank = x.Rank;
        if (dims.Length != rank)
            throw new TensorOpException("permute", $"dims {Shapes.Format(dims)} do not name every dimension of shape {Shapes.Format(x.Shape)}");
        var seen = new bool[rank];
        var perm = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            perm[i] = Shapes.NormalizeAxis("permute", dims[i], rank);
            if (seen[perm[i]])
                throw new TensorOpException("permute", $"dimension {dims[i]} repeats in dims {Shapes.Format(dims)}");
            seen[perm[i]] = true;
        }
        return PermuteNormalized(x, perm);
    }

    /// <summary>Swaps two dimensions.</summary>
    [OpKernel("transpose")]
    public static Tensor Transpose(Tensor x, int dim0, int dim1)
    {
        var rank = x.Rank;
        var perm = Enumerable.Range(0, rank).ToArray();
        if (rank == 0 && dim0 is 0 or -1 && dim1 is 0 or -1)
            return x.Clone(); // PyTorch lets a scalar be "transposed" with itself
        var a = Shapes.NormalizeAxis("transpose", dim0, rank);
        var b = Shapes.NormalizeAxis("transpose", dim1, rank);
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return PermuteNormalized(x, perm);
    }

    private static Tensor PermuteNormalized(Tensor x, int[] perm)
    {
        var inStrides = Shapes.Strides(x.Shape);
        var shape = new int[perm.Length];
        var strides = new int[perm.Length];
        for (var i = 0; i < perm.Length; i++)
        {
            shape[i] = x.Shape[perm[i]];
            strides[i] = inStrides[perm[i]];
        }
        return LayoutCopy.Strided(x, 0, shape, strides);
    }
}
