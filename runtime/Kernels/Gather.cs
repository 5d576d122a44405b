namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>torch.gather: <c>out[i…] = x[i with i[dim] replaced by index[i…]]</c>. The index
    /// has x's rank and is no larger than x in every dimension but <paramref name="dim"/>.</summary>
    [OpKernel("gather")]
    public static Tensor Gather(Tensor x, Tensor index, int dim)
    {
        var indices = IndexView.Of("gather", index);
        var rank = x.Rank;
        var d = Shapes.NormalizeAxis("gather", dim, rank);
        if (index.Rank != rank)
            throw TensorOpException.ShapeMismatch("gather", x.Shape, index.Shape, "index must have the input's rank");
        for (var k = 0; k < rank; k++)
            if (k != d && index.Shape[k] > x.Shape[k])
                throw TensorOpException.ShapeMismatch("gather", x.Shape, index.Shape, $"index is larger than the input in dimension {k}");

        var strides = Shapes.Strides(x.Shape);
        var sourceIndex = new int[index.Length];
        var counter = new int[rank];
        var rowBase = 0; // Σ counter[k]·strides[k] over k ≠ d
        var size = x.Shape[d];
        for (var i = 0; i < sourceIndex.Length; i++)
        {
            sourceIndex[i] = rowBase + indices.Checked("gather", i, size, d) * strides[d];
            for (var k = rank - 1; k >= 0; k--)
            {
                var step = k == d ? 0 : strides[k];
                rowBase += step;
                if (++counter[k] < index.Shape[k]) break;
                rowBase -= step * index.Shape[k];
                counter[k] = 0;
            }
        }
        return LayoutCopy.Take(x, sourceIndex, index.ShapeArray());
    }

    /// <summary>The slices of <paramref name="x"/> along <paramref name="dim"/> named by a 1-D index, in index order.</summary>
    [OpKernel("index_select")]
    public static Tensor IndexSelect(Tensor x, Tensor index, int dim)
    {
        var indices = IndexView.Of("index_select", index);
        var d = Shapes.NormalizeAxis("index_select", dim, x.Rank);
        if (index.Rank > 1)
            throw new TensorOpException("index_select", $"index must be 1-D, got shape {Shapes.Format(index.Shape)}");
        var shape = x.ShapeArray();
        shape[d] = index.Length;
        var size = x.Shape[d];
        var picks = new int[index.Length];
        for (var i = 0; i < picks.Length; i++) picks[i] = indices.Checked("index_select", i, size, d);

        var result = Tensor.Zeros(x.DType, shape);
        var outer = Shapes.ElementCount(shape.AsSpan(0, d));
        var inner = Shapes.ElementCount(shape.AsSpan(d + 1));
        if (inner == 0) return result;
        var position = 0;
        for (var o = 0; o < outer; o++)
            foreach (var p in picks)
            {
                Array.Copy(x.Storage, (o * size + p) * inner, result.Storage, position, inner);
                position += inner;
            }
        return result;
    }

    /// <summary>Rows of <paramref name="weight"/> [num, dim] looked up by integer
    /// <paramref name="indices"/>; the result has shape indices.shape + [dim].</summary>
    [OpKernel("embedding")]
    public static Tensor Embedding(Tensor indices, Tensor weight)
    {
        CheckEmbeddingWeight(weight);
        var shape = new int[indices.Rank + 1];
        indices.Shape.CopyTo(shape);
        shape[^1] = weight.Shape[1];
        var result = Tensor.Zeros(weight.DType, shape);
        EmbeddingRows(indices, weight, result);
        return result;
    }

    /// <summary><see cref="Embedding"/> into a destination of the result's shape (indices' shape + [dim]).</summary>
    public static void EmbeddingInto(Tensor indices, Tensor weight, Tensor destination)
    {
        CheckEmbeddingWeight(weight);
        var shape = destination.Shape;
        if (destination.DType != weight.DType || shape.Length != indices.Rank + 1 || shape[^1] != weight.Shape[1] || !shape[..^1].SequenceEqual(indices.Shape))
            throw new TensorOpException("embedding",
                $"destination is {destination.DType.ShortName()} {Shapes.Format(shape)} but the result is {weight.DType.ShortName()} {Shapes.Format([.. indices.Shape, weight.Shape[1]])}");
        EmbeddingRows(indices, weight, destination);
    }

    private static void CheckEmbeddingWeight(Tensor weight)
    {
        if (weight.Rank != 2)
            throw new TensorOpException("embedding", $"weight must be 2-D [num, dim], got shape {Shapes.Format(weight.Shape)}");
    }

    private static void EmbeddingRows(Tensor indices, Tensor weight, Tensor result)
    {
        var view = IndexView.Of("embedding", indices);
        var rows = weight.Shape[0];
        var width = weight.Shape[1];
        for (var i = 0; i < indices.Length; i++)
        {
            var row = view.Checked("embedding", i, rows, 0);
            if (width > 0) Array.Copy(weight.Storage, row * width, result.Storage, i * width, width);
        }
    }
}
