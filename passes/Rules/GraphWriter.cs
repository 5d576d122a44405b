using DyCompile.IR;
using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Rules;

/// <summary>
/// Writes e-classes (through a choice of one node per class) and right sides as nodes of a new
/// <see cref="Graph"/> over the inputs and weights of a source graph. Each class is written once,
/// so shared subterms stay shared.
/// </summary>
public sealed class GraphWriter(EGraph<TensorData> egraph, Graph source, Func<EClassId, ENode> choose)
{
    private readonly Dictionary<EClassId, Value> _values = [];
    private readonly Dictionary<EClassId, Value[]> _tuples = [];
    private readonly List<Node> _nodes = [];
    private readonly HashSet<string> _names = [.. source.Inputs.Select(v => v.Name), .. source.Weights.Select(v => v.Name)];
    private int _next;

    public Value Emit(EClassId id)
    {
        id = egraph.Find(id);
        if (_values.TryGetValue(id, out var done)) return done;
        var node = choose(id);
        Value value;
        switch (node.Op)
        {
            case TensorLanguage.InputOp:
                value = source.Inputs.First(v => v.Name == ((LeafValue)node.Payload!).Name);
                break;
            case TensorLanguage.WeightOp:
                value = source.Weights.First(v => v.Name == ((LeafValue)node.Payload!).Name);
                break;
            case TensorLanguage.ConstOp:
                value = Literal((ConstValue)node.Payload!);
                break;
            case TensorLanguage.ResultOp:
                value = EmitTuple(node.Children[0])[(int)node.Payload!];
                break;
            case TensorLanguage.AttrsOp:
                throw new InvalidOperationException("an attribute class is not a value");
            default:
                var type = egraph[id].Data.Type ?? throw new InvalidOperationException($"class {id} has no type");
                value = Append(node.Op, TensorLanguage.Operands(node).Select(Emit).ToArray(), TensorLanguage.AttrsOf(egraph, node), [type])[0];
                break;
        }
        _values[id] = value;
        return value;
    }

    /// <summary>Writes a right side (its classes through the choice).</summary>
    public Value Emit(Rhs rhs) => rhs switch
    {
        Rhs.Class c => Emit(c.Id),
        Rhs.Literal l => Literal(l.Value),
        Rhs.Apply a => EmitApply(a),
        _ => throw new InvalidOperationException("unknown right side"),
    };

    private Value EmitApply(Rhs.Apply a)
    {
        var operands = a.Operands.Select(Emit).ToArray();
        var types = OpCatalog.Infer(a.Op, operands.Select(v => v.Type).ToList(), a.Attrs).Unwrap();
        return Append(a.Op, operands, a.Attrs, types)[0];
    }

    private Value[] EmitTuple(EClassId id)
    {
        id = egraph.Find(id);
        if (_tuples.TryGetValue(id, out var done)) return done;
        var node = choose(id);
        var results = Append(node.Op, TensorLanguage.Operands(node).Select(Emit).ToArray(), TensorLanguage.AttrsOf(egraph, node), egraph[id].Data.TupleTypes);
        _tuples[id] = results;
        return results;
    }

    private Value Literal(ConstValue c)
    {
        var value = new Value(FreshName(), c.Type, ValueKind.Result);
        _nodes.Add(new Node("const", [], null, [value], c.Payload));
        return value;
    }

    private Value[] Append(string op, IReadOnlyList<Value> operands, Attrs attrs, IReadOnlyList<IRType> types)
    {
        var results = types.Select(t => new Value(FreshName(), t, ValueKind.Result)).ToArray();
        _nodes.Add(new Node(op, operands, attrs, results));
        return results;
    }

    private string FreshName()
    {
        string name;
        do name = "v" + _next++.ToString(System.Globalization.CultureInfo.InvariantCulture);
        while (!_names.Add(name));
        return name;
    }

    /// <summary>The graph of everything written so far, with these outputs.</summary>
    public Graph Build(IReadOnlyList<Value> outputs, string? name = null)
    {
        var used = _nodes.SelectMany(n => n.Operands).Concat(outputs).Where(v => v.IsWeight).ToHashSet();
        return new Graph(name ?? source.Name, source.Inputs, source.Weights.Where(used.Contains), _nodes, outputs);
    }
}
