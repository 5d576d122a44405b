using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>One application of an op as its shape and cost rules see it: the op, the operand
/// types and the attributes (already checked for presence and kind).</summary>
public sealed class OpCall(OpDef op, IReadOnlyList<IRType> operands, Attrs attrs)
{
    public OpDef Op { get; } = op;

    public IReadOnlyList<IRType> Operands { get; } = operands;

    public Attrs Attrs { get; } = attrs;

    public string OperandName(int i) => Op.Variadic ? $"{Op.Operands[0]}[{i}]" : i < Op.Operands.Length ? Op.Operands[i] : $"#{i}";

    public TensorType Tensor(int i) =>
        Operands[i] as TensorType ?? throw Fail($"operand '{OperandName(i)}' must be a tensor, got {Operands[i]}");

    public ScalarType Scalar(int i) =>
        Operands[i] as ScalarType ?? throw Fail($"operand '{OperandName(i)}' must be a host scalar, got {Operands[i]}");

    public int Int(string name) => Attrs.GetInt(name);
    public float Float(string name) => Attrs.GetFloat(name);
    public bool Bool(string name) => Attrs.GetBool(name);
    public int[] Ints(string name) => Attrs.GetInts(name);
    public DType DType(string name) => Attrs.GetDType(name);

    public IRTypeException Fail(string message) => new(Op.Name, message);

    /// <summary>Maps a possibly negative axis into [0, rank).</summary>
    public int Axis(int axis, int rank, string what = "dim")
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw Fail($"{what} {axis} is out of range for rank {rank}");
        return a;
    }

    public void RequireDType(TensorType t, string operand, params DType[] allowed)
    {
        if (!allowed.Contains(t.DType))
            throw Fail($"operand '{operand}' has dtype {t.DType.ShortName()}, expected {string.Join(" or ", allowed.Select(d => d.ShortName()))}");
    }

    public void RequireSameDType(TensorType a, TensorType b)
    {
        if (a.DType != b.DType)
            throw Fail($"operand dtypes differ: {a} and {b}");
    }

    /// <summary>Dimension equality where a dynamic dimension matches anything.</summary>
    public static bool DimsAgree(int a, int b) => a == b || a == TensorType.Dynamic || b == TensorType.Dynamic;

    /// <summary>PyTorch broadcasting of two shapes (dynamic dimensions assumed compatible).</summary>
    public int[] Broadcast(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var rank = Math.Max(a.Count, b.Count);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Count ? 1 : a[i - (rank - a.Count)];
            var db = i < rank - b.Count ? 1 : b[i - (rank - b.Count)];
            result[i] = da == db ? da
                : da == 1 ? db
                : db == 1 ? da
                : da == TensorType.Dynamic ? db
                : db == TensorType.Dynamic ? da
                : throw Fail($"shapes {TensorType.FormatShape(a)} and {TensorType.FormatShape(b)} cannot be broadcast");
        }
        return result;
    }

    public IReadOnlyList<IRType> One(IRType type) => [type];
}
