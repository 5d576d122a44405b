using DyCompile.Backends.Onnx.Proto;
using DyCompile.IR;

namespace DyCompile.Backends.Onnx;

/// <summary>Unique tensor names across the whole model (the main graph and every subgraph), so a
/// subgraph never shadows a name of an enclosing graph.</summary>
internal sealed class OnnxNames
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public void Reserve(string name)
    {
        if (!_used.Add(name)) throw new InvalidOperationException($"ONNX name '{name}' is used twice");
    }

    public string Fresh(string hint)
    {
        if (_used.Add(hint)) return hint;
        for (var i = 1; ; i++)
        {
            var name = $"{hint}_{i}";
            if (_used.Add(name)) return name;
        }
    }
}

/// <summary>Appends nodes to one ONNX graph (the main graph or a subgraph).</summary>
internal sealed class OnnxGraphBuilder(OnnxNames names, string name)
{
    public OnnxNames Names { get; } = names;

    public GraphProto Graph { get; } = new() { Name = name };

    /// <summary>Adds a node with fresh outputs named after <paramref name="hint"/>; returns them.</summary>
    public string[] Node(string opType, IEnumerable<string> inputs, int outputs, string hint, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Names.Fresh("n_" + hint) };
        node.Input.AddRange(inputs);
        var results = Enumerable.Range(0, outputs).Select(_ => Names.Fresh(hint)).ToArray();
        node.Output.AddRange(results);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return results;
    }

    public string One(string opType, IEnumerable<string> inputs, string hint, params AttributeProto[] attributes) =>
        Node(opType, inputs, 1, hint, attributes)[0];

    public string Constant(TensorProto value, string hint)
    {
        var output = Names.Fresh(hint);
        value.Name = "";
        var node = new NodeProto { OpType = "Constant", Name = Names.Fresh("n_" + hint) };
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value });
        Graph.Node.Add(node);
        return output;
    }

    public string Int64s(IReadOnlyList<long> values, string hint) => Constant(OnnxTypes.Int64s("", values), hint);

    public string Int64Scalar(long value, string hint) => Constant(OnnxTypes.Int64s("", [value], scalar: true), hint);

    public string Literal(IRType type, IReadOnlyList<double> values, string hint) => Constant(OnnxTypes.Literal("", type, values), hint);

    /// <summary>Zeros of <paramref name="type"/>: the placeholder for a value a path does not
    /// produce. It is never read — the selector sends control elsewhere — so a dynamic dimension
    /// is given size 1 (ONNX lets If branches and loop iterations differ in shapes). Built by
    /// ConstantOfShape, so a large placeholder costs no bytes in the model.</summary>
    public string Zeros(IRType type, string hint)
    {
        var shape = OnnxTypes.ShapeOf(type).Select(d => d == TensorType.Dynamic ? 1L : d).ToList();
        var zero = OnnxTypes.Literal("", type is TensorType t ? t.WithShape([1]) : IRType.Tensor(OnnxTypes.DTypeOf(type), 1), [0]);
        var node = new NodeProto { OpType = "ConstantOfShape", Name = Names.Fresh("n_" + hint) };
        node.Input.Add(Int64s(shape, hint + "_shape"));
        var output = Names.Fresh(hint);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = zero });
        Graph.Node.Add(node);
        return output;
    }

    public void Output(string name, IRType type, bool withShape) => Graph.Output.Add(OnnxTypes.ValueInfo(name, type, withShape));

    public void Input(string name, IRType type, bool withShape) => Graph.Input.Add(OnnxTypes.ValueInfo(name, type, withShape));

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Subgraph(string name, GraphProto graph) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph };
}
