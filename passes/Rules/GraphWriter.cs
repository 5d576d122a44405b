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

    /// <summary>Writes class <paramref name="id"/> and everything it reads. Operands are written
    /// before their users in one post-order walk with an explicit stack: a chain of thousands of
    /// ops (one per statement of a long method) is as deep as it is long.</summary>
    public Value Emit(EClassId id)
    {
        id = egraph.Find(id);
        if (!_values.TryGetValue(id, out var done)) Write(new Pending(id, false));
        return _values[id];
    }

    /// <summary>A class to write: as a value, or (<see cref="Tuple"/>) as the results of a multi-result op.</summary>
    private readonly record struct Pending(EClassId Id, bool Tuple);

    private bool IsWritten(Pending p) => p.Tuple ? _tuples.ContainsKey(p.Id) : _values.ContainsKey(p.Id);

    private void Write(Pending root)
    {
        var stack = new Stack<(Pending Class, bool OperandsWritten)>();
        var inProgress = new HashSet<Pending>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (current, operandsWritten) = stack.Pop();
            if (IsWritten(current)) continue;
            var node = choose(current.Id);
            if (operandsWritten)
            {
                inProgress.Remove(current);
                WriteNode(current, node);
                continue;
            }
            if (!inProgress.Add(current))
                throw new InvalidOperationException($"the chosen nodes form a cycle through class {current.Id}");
            stack.Push((current, true));
            var operands = Operands(current, node);
            for (var i = operands.Count - 1; i >= 0; i--)
                if (!IsWritten(operands[i])) stack.Push((operands[i], false));
        }
    }

    /// <summary>What must be written before <paramref name="node"/> chosen for <paramref name="p"/>.</summary>
    private List<Pending> Operands(Pending p, ENode node)
    {
        if (!p.Tuple)
            switch (node.Op)
            {
                case TensorLanguage.InputOp or TensorLanguage.WeightOp or TensorLanguage.ConstOp or TensorLanguage.AttrsOp:
                    return [];
                case TensorLanguage.ResultOp:
                    return [new Pending(egraph.Find(node.Children[0]), true)];
            }
        return [.. TensorLanguage.Operands(node).Select(c => new Pending(egraph.Find(c), false))];
    }

    /// <summary>Writes one class whose operands are written.</summary>
    private void WriteNode(Pending p, ENode node)
    {
        Value[] OperandValues() => [.. TensorLanguage.Operands(node).Select(c => _values[egraph.Find(c)])];
        if (p.Tuple)
        {
            _tuples[p.Id] = Append(node.Op, OperandValues(), TensorLanguage.AttrsOf(egraph, node), egraph[p.Id].Data.TupleTypes);
            return;
        }
        _values[p.Id] = node.Op switch
        {
            TensorLanguage.InputOp => source.Inputs.First(v => v.Name == ((LeafValue)node.Payload!).Name),
            TensorLanguage.WeightOp => source.Weights.First(v => v.Name == ((LeafValue)node.Payload!).Name),
            TensorLanguage.ConstOp => Literal((ConstValue)node.Payload!),
            TensorLanguage.ResultOp => _tuples[egraph.Find(node.Children[0])][(int)node.Payload!],
            TensorLanguage.AttrsOp => throw new InvalidOperationException("an attribute class is not a value"),
            _ => Append(node.Op, OperandValues(), TensorLanguage.AttrsOf(egraph, node),
                [egraph[p.Id].Data.Type ?? throw new InvalidOperationException($"class {p.Id} has no type")])[0],
        };
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
