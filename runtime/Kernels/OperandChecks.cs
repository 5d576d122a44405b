namespace DyCompile.Runtime;

/// <summary>Operand and destination validation shared by the elementwise, reduction and
/// softmax kernels; every message names the op.</summary>
internal static class OperandChecks
{
    public static DType SameDType(string op, Tensor a, Tensor b)
    {
        if (a.DType != b.DType)
            throw new TensorOpException(op, $"operand dtypes {a.DType.ShortName()} and {b.DType.ShortName()} differ");
        return a.DType;
    }

    public static void RequireFloat(string op, Tensor x)
    {
        if (x.DType != DType.Float32)
            throw new TensorOpException(op, $"needs an f32 tensor, got {x.DType.ShortName()} of shape {Shapes.Format(x.Shape)}");
    }

    public static TensorOpException UnsupportedDType(string op, DType dtype, string supported) =>
        new(op, $"does not support dtype {dtype.ShortName()} (supported: {supported})");

    /// <summary>Checks that a caller-owned destination has the result's dtype and shape.</summary>
    public static void Destination(string op, Tensor destination, DType dtype, ReadOnlySpan<int> shape)
    {
        if (destination.DType != dtype || !destination.Shape.SequenceEqual(shape))
            throw new TensorOpException(op,
                $"destination is {destination.DType.ShortName()} {Shapes.Format(destination.Shape)} but the result is {dtype.ShortName()} {Shapes.Format(shape)}");
    }

    /// <summary>Checks that <paramref name="destination"/> has the broadcast shape of the two
    /// operands without allocating; incompatible operands throw the usual broadcast error.</summary>
    public static void BroadcastDestination(string op, Tensor a, Tensor b, Tensor destination, DType dtype)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        var fits = destination.DType == dtype && destination.Rank == rank;
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Rank ? 1 : a.Shape[i - (rank - a.Rank)];
            var db = i < rank - b.Rank ? 1 : b.Shape[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw TensorOpException.ShapeMismatch(op, a.Shape, b.Shape, "shapes cannot be broadcast");
            fits = fits && destination.Shape[i] == (da == 1 ? db : da);
        }
        if (!fits) Destination(op, destination, dtype, Shapes.Broadcast(op, a.Shape, b.Shape));
    }

    /// <summary>Normalizes a reduction's dims (negative count from the end; a rank-0 tensor
    /// accepts 0 and -1 as PyTorch does) into a per-dimension mask; rejects duplicates.</summary>
    public static bool[] ReducedMask(string op, int rank, int[] dims)
    {
        var mask = new bool[rank];
        if (dims.Length == 0)
        {
            Array.Fill(mask, true);
            return mask;
        }
        foreach (var dim in dims)
        {
            var axis = Shapes.NormalizeAxis(op, dim, Math.Max(rank, 1));
            if (rank == 0) continue;
            if (mask[axis])
                throw new TensorOpException(op, $"dimension {dim} appears more than once in dims {Shapes.Format(dims)}");
            mask[axis] = true;
        }
        return mask;
    }

    /// <summary>Normalizes a single named dimension; a rank-0 tensor accepts 0 and -1.</summary>
    public static int SingleDim(string op, int dim, int rank) => Shapes.NormalizeAxis(op, dim, Math.Max(rank, 1));
}
