namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>The same elements under a new shape; one dimension may be -1 and is inferred.
    /// Tensors are contiguous, so the result is a view sharing <paramref name="x"/>'s storage.</summary>
    [OpKernel("reshape")]
    public static Tensor Reshape(Tensor x, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return x.WithShape(InferReshape("reshape", x.Shape, shape));
    }

    /// <summary>Resolves a -1 in a requested shape and checks the element count.</summary>
    internal static int[] InferReshape(string op, ReadOnlySpan<int> from, int[] shape)
    {
        var inferred = -1;
        long known = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0)
                    throw new TensorOpException(op, $"only one dimension can be -1, got shape {Shapes.Format(shape)}");
                inferred = i;
            }
            else if (shape[i] < 0)
                throw new TensorOpException(op, $"invalid dimension {shape[i]} in shape {Shapes.Format(shape)}");
            else
                known = Math.Min(known * shape[i], (long)int.MaxValue + 1); // saturate: both factors stay below 2^31, and no tensor holds more
        }
        var count = Shapes.ElementCount(from);
        var result = (int[])shape.Clone();
        if (inferred >= 0)
        {
            if (known == 0 || count % known != 0)
                throw new TensorOpException(op, $"cannot reshape a tensor of shape {Shapes.Format(from)} ({count} elements) into {Shapes.Format(shape)}");
            result[inferred] = (int)(count / known);
        }
        else if (known != count)
            throw new TensorOpException(op, $"cannot reshape a tensor of shape {Shapes.Format(from)} ({count} elements) into {Shapes.Format(shape)}");
        return result;
    }
}
