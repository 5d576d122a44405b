namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Broadcasts <paramref name="x"/> to <paramref name="shape"/> (new dimensions are
    /// prepended; -1 keeps an existing dimension; only size-1 dimensions grow). The result is
    /// materialized because tensors are always contiguous.</summary>
    [OpKernel("expand")]
    public static Tensor Expand(Tensor x, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var rank = shape.Length;
        if (rank < x.Rank)
            throw new TensorOpException("expand", $"target shape {Shapes.Format(shape)} has fewer dimensions than input shape {Shapes.Format(x.Shape)}");
        var lead = rank - x.Rank;
        var own = Shapes.Strides(x.Shape);
        var target = new int[rank];
        var strides = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var want = shape[i];
            if (i < lead)
            {
                if (want < 0)
                    throw new TensorOpException("expand", $"new leading dimension {i} cannot be {want} in target shape {Shapes.Format(shape)}");
                target[i] = want;
                continue;
            }
            var have = x.Shape[i - lead];
            if (want == -1) want = have;
            if (want < 0 || (want != have && have != 1))
                throw TensorOpException.ShapeMismatch("expand", x.Shape, shape, $"dimension {i} of size {have} cannot expand to {shape[i]}");
            target[i] = want;
            strides[i] = want == have ? own[i - lead] : 0;
        }
        return LayoutCopy.Strided(x, 0, target, strides);
    }
}
