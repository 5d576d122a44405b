using DyCompile.IR;

namespace DyCompile.Passes.Rules;

/// <summary>Small helpers the rule files share: attribute sets, axis normalization, fills.</summary>
internal static class RuleSupport
{
    public static Attrs Transpose(int dim0, int dim1) => new() { { "dim0", dim0 }, { "dim1", dim1 } };

    public static Attrs Permute(int[] dims) => new() { { "dims", dims } };

    public static Attrs Reshape(int[] shape) => new() { { "shape", shape } };

    public static Attrs Slice(int dim, int start, int end) => new() { { "dim", dim }, { "start", start }, { "end", end }, { "step", 1 } };

    public static Attrs Dim(int dim) => new() { { "dim", dim } };

    public static Attrs Reduce(int[] dims, bool keepdim) => new() { { "dims", dims }, { "keepdim", keepdim } };

    public static int Axis(int axis, int rank) => axis < 0 ? axis + rank : axis;

    /// <summary>The dim pair of a transpose, normalized and ordered.</summary>
    public static (int, int) TransposePair(Attrs attrs, int rank)
    {
        int a = Axis(attrs.GetInt("dim0"), rank), b = Axis(attrs.GetInt("dim1"), rank);
        return (Math.Min(a, b), Math.Max(a, b));
    }

    public static int[] PermuteDims(Attrs attrs, int rank) => attrs.GetInts("dims").Select(d => Axis(d, rank)).ToArray();

    public static bool IsIdentity(int[] perm) => perm.Select((d, i) => d == i).All(x => x);

    /// <summary>A tensor of <paramref name="type"/> filled with <paramref name="value"/>: a scalar literal, expanded when the type has dims.</summary>
    public static Rhs? Filled(TensorType? type, double value)
    {
        if (type is null || !type.IsStatic) return null;
        var scalar = new Rhs.Literal(new ConstValue(new TensorType(type.DType, []), ConstPayload.Of(value)));
        return type.Rank == 0 ? scalar : Rhs.Call("expand", new Attrs { { "shape", type.Shape.ToArray() } }, scalar);
    }

    /// <summary>A 0-d tensor: the scalar operand of "scalar times tensor" rules.</summary>
    public static bool IsScalar(TensorType? t) => t is { Rank: 0 };

    public static bool RankAtLeast(TensorType? t, int rank) => t is not null && t.Rank >= rank;
}
