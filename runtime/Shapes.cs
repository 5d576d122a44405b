namespace DyCompile.Runtime;

/// <summary>Shape arithmetic shared by every kernel: element counts, strides, axis
/// normalization and PyTorch broadcasting.</summary>
public static class Shapes
{
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape {Format(shape)}");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException($"shape {Format(shape)} has more than {int.MaxValue} elements");
        }
        return (int)n;
    }

    /// <summary>Row-major (C order) strides in elements.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        var s = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    /// <summary>Maps a possibly negative axis into [0, rank); throws naming the op otherwise.</summary>
    public static int NormalizeAxis(string op, int axis, int rank)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new TensorOpException(op, $"dimension {axis} is out of range for a tensor of rank {rank}");
        return a;
    }

    /// <summary>The PyTorch broadcast of two shapes: align trailing dimensions; each pair must be
    /// equal or contain a 1.</summary>
    public static int[] Broadcast(string op, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw TensorOpException.ShapeMismatch(op, a, b, "shapes cannot be broadcast");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Strides that read a tensor of <paramref name="shape"/> as if it had the broadcast
    /// shape <paramref name="target"/>: broadcast dimensions get stride 0.</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        var own = Strides(shape);
        var result = new int[target.Length];
        var offset = target.Length - shape.Length;
        for (var i = 0; i < target.Length; i++)
        {
            if (i < offset) continue;
            result[i] = shape[i - offset] == 1 && target[i] != 1 ? 0 : own[i - offset];
        }
        return result;
    }

    public static bool SequenceEqual(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}
