using DyCompile.IR;
using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Rules;

/// <summary>
/// How a dataflow <see cref="Graph"/> is spelled in an e-graph. An op application is an e-node
/// named after the IR op whose children are its operands followed, when the op takes attributes,
/// by one attribute leaf: an e-node <see cref="AttrsOp"/> whose payload is the <see cref="Attrs"/>.
/// Keeping the attributes in a child class (rather than on the op node itself) lets a pattern
/// bind them to a variable — <c>(transpose (transpose ?x ?p) ?q)</c> — so rules can read and
/// compute attributes. Graph inputs, weights and constants are leaves with a payload.
/// </summary>
public static class TensorLanguage
{
    /// <summary>A graph input; payload <see cref="LeafValue"/>.</summary>
    public const string InputOp = "input";

    /// <summary>A program weight; payload <see cref="LeafValue"/>.</summary>
    public const string WeightOp = "weight";

    /// <summary>A literal; payload <see cref="ConstValue"/>.</summary>
    public const string ConstOp = "const";

    /// <summary>The attributes of the op node above; payload <see cref="Attrs"/>.</summary>
    public const string AttrsOp = "attrs";

    /// <summary>Result <c>i</c> (payload) of a multi-result op (split, topk): child is the tuple class.</summary>
    public const string ResultOp = "result";

    /// <summary>
    /// The operators for parsing patterns: every non-variadic catalog op, with arity = operand
    /// count + 1 when it takes attributes. Leaves never appear in patterns.
    /// </summary>
    public static Language Language { get; } = new(
        OpCatalog.All
            .Where(op => op.Kind != OpKind.Const && !op.Variadic)
            .Select(op => new Operator(op.Name, op.Operands.Length + (op.Attributes.Length > 0 ? 1 : 0))));

    /// <summary>Whether an e-node of this operator ends with an attribute child.</summary>
    public static bool HasAttrsChild(string op) =>
        OpCatalog.TryGet(op, out var def) && def.Kind != OpKind.Const && def.Attributes.Length > 0;

    public static bool IsLeaf(string op) => op is InputOp or WeightOp or ConstOp or AttrsOp;

    /// <summary>The operand children of an op node (without the attribute child).</summary>
    public static IReadOnlyList<EClassId> Operands(ENode node) =>
        HasAttrsChild(node.Op) ? node.Children.Take(node.Arity - 1).ToArray() : node.Children;

    /// <summary>The attributes of an op node (empty for ops without any).</summary>
    public static Attrs AttrsOf(EGraph<TensorData> egraph, ENode node) =>
        HasAttrsChild(node.Op) ? egraph[node.Children[^1]].Data.Attrs ?? Attrs.Empty : Attrs.Empty;

    /// <summary>Adds an application of <paramref name="op"/> (attribute leaf included) and returns its class.</summary>
    public static EClassId AddOp(EGraph<TensorData> egraph, string op, Attrs attrs, IReadOnlyList<EClassId> operands)
    {
        var children = operands.ToList();
        if (HasAttrsChild(op)) children.Add(egraph.Add(new ENode(AttrsOp, attrs.Clone())));
        return egraph.Add(new ENode(op, null, children));
    }
}

/// <summary>The payload of an input or weight leaf: its name and type.</summary>
public sealed record LeafValue(string Name, IRType Type)
{
    public override string ToString() => $"{Name}:{Type}";
}

/// <summary>The payload of a constant leaf: its type and elements (value equality, bitwise).</summary>
public sealed record ConstValue(IRType Type, ConstPayload Payload)
{
    /// <summary>The constant as the interpreter sees it (a <see cref="Runtime.Tensor"/> or host scalar).</summary>
    public object ToValue() => Interpreter.Constant(new Node("const", [], null, [new Value("c", Type, ValueKind.Result)], Payload));

    /// <summary>A tensor constant holding the elements of <paramref name="tensor"/>.</summary>
    public static ConstValue Of(Runtime.Tensor tensor)
    {
        var values = new double[tensor.Length];
        for (var i = 0; i < values.Length; i++) values[i] = tensor.GetAsDouble(i);
        return new ConstValue(new TensorType(tensor.DType, tensor.ShapeArray()), new ConstPayload([.. values]));
    }

    /// <summary>A tensor of <paramref name="type"/> filled with <paramref name="value"/>.</summary>
    public static ConstValue Filled(TensorType type, double value) =>
        new(type, new ConstPayload([.. Enumerable.Repeat(value, (int)type.ElementCount)]));

    public override string ToString() => Payload.Values.Length <= 4
        ? $"const[{string.Join(",", Payload.Values.Select(v => ConstPayload.FormatElement(v, Type)))}]:{Type}"
        : $"const[{Payload.Values.Length} elements]:{Type}";
}
