using DyCompile.IR;

namespace DyCompile.Passes.Partition;

/// <summary>Replaces uses of values (a block's parameters by the arguments that reach it) in
/// nodes and terminators; results keep their identity, so names stay unique.</summary>
internal sealed class Substitution
{
    private readonly Dictionary<Value, Value> _map = [];

    public static Substitution Bind(IReadOnlyList<Value> parameters, IReadOnlyList<Value> arguments)
    {
        var s = new Substitution();
        for (var i = 0; i < parameters.Count; i++) s._map[parameters[i]] = arguments[i];
        return s;
    }

    public Value this[Value v] => _map.TryGetValue(v, out var r) ? r : v;

    public Node Apply(Node node) =>
        node.Operands.Any(_map.ContainsKey)
            ? new Node(node.Op, node.Operands.Select(v => this[v]), node.Attrs, node.Results, node.Payload)
            : node;

    public BlockTarget Apply(BlockTarget target) => new(target.Block, [.. target.Arguments.Select(v => this[v])]);

    public Terminator Apply(Terminator terminator) => terminator switch
    {
        Jump j => new Jump(Apply(j.Target)),
        Branch b => new Branch(this[b.Condition], Apply(b.IfTrue), Apply(b.IfFalse)),
        Return r => new Return(r.Values.Select(v => this[v])),
        _ => throw new ArgumentException($"unknown terminator {terminator.GetType().Name}"),
    };
}
