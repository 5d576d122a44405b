namespace DyCompile.IR;

/// <summary>Builds a static <see cref="Graph"/>: inputs, weights, nodes, outputs.</summary>
public sealed class GraphBuilder(string name) : DataflowBuilder(new NameScope())
{
    private readonly List<Value> _inputs = [];
    private readonly List<Value> _weights = [];

    public string Name { get; } = name;

    public Value Input(string name, IRType type)
    {
        var v = new Value(Names.Fresh(name), type, ValueKind.Parameter);
        _inputs.Add(v);
        return v;
    }

    public Value Weight(string name, IRType type)
    {
        var w = new Value(name, type, ValueKind.Weight);
        _weights.Add(w);
        return w;
    }

    public Graph Build(params Value[] outputs) => new(Name, _inputs, _weights, Instructions.OfType<Node>(), outputs);
}
