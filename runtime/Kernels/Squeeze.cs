namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Removes size-1 dimensions: those named in <paramref name="dims"/> (a named
    /// dimension whose size is not 1 is kept, as in PyTorch), or every one when dims is empty.</summary>
    [OpKernel("squeeze")]
    public static Tensor Squeeze(Tensor x, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var rank = x.Rank;
        var drop = new bool[Math.Max(rank, 1)];
        var named = new bool[drop.Length];
        if (dims.Length == 0)
            for (var d = 0; d < rank; d++) drop[d] = x.Shape[d] == 1;
        foreach (var dim in dims)
        {
            // A scalar accepts dimension 0 / -1, like PyTorch, and stays a scalar.
            var d = Shapes.NormalizeAxis("squeeze", dim, Math.Max(rank, 1));
            if (named[d])
                throw new TensorOpException("squeeze", $"dimension {dim} repeats in dims {Shapes.Format(dims)}");
            named[d] = true;
            drop[d] = rank > 0 && x.Shape[d] == 1;
        }
        var shape = new List<int>(rank);
        for (var d = 0; d < rank; d++)
            if (!drop[d]) shape.Add(x.Shape[d]);
        return x.WithShape(shape.ToArray());
    }

    /// <summary>Inserts a size-1 dimension at <paramref name="dim"/> (in [-rank-1, rank]).</summary>
    [OpKernel("unsqueeze")]
    public static Tensor Unsqueeze(Tensor x, int dim)
    {
        var d = Shapes.NormalizeAxis("unsqueeze", dim, x.Rank + 1);
        var shape = new int[x.Rank + 1];
        for (int i = 0, j = 0; i < shape.Length; i++)
            shape[i] = i == d ? 1 : x.Shape[j++];
        return x.WithShape(shape);
    }
}
