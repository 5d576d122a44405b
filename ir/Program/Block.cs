using System.Collections.Immutable;

namespace DyCompile.IR;

/// <summary>A basic block: parameters, a dataflow body of nodes, and a terminator. Values
/// enter a block only through its parameters (and the program weights).</summary>
public sealed class Block(string name, IEnumerable<Value> parameters, IEnumerable<Instruction> instructions)
{
    public string Name { get; } = name;

    public ImmutableArray<Value> Parameters { get; } = [.. parameters];

    /// <summary>Every instruction in order; a well-formed block ends with its only terminator.</summary>
    public ImmutableArray<Instruction> Instructions { get; } = [.. instructions];

    public IEnumerable<Node> Nodes => Instructions.OfType<Node>();

    /// <summary>The last instruction when it is a terminator, else null.</summary>
    public Terminator? Terminator => Instructions.Length > 0 ? Instructions[^1] as Terminator : null;

    public IReadOnlyList<BlockTarget> Successors => Terminator?.Successors ?? [];

    public string Ref => "^" + Name;

    /// <summary>The block body as a static dataflow graph: its inputs are the block parameters,
    /// its outputs the distinct values the terminator reads, in order of first use.</summary>
    public Graph ToGraph(IEnumerable<Value> weights)
    {
        var outputs = (Terminator?.Uses ?? []).Distinct().ToArray();
        var used = Nodes.SelectMany(n => n.Operands).Concat(outputs).Where(v => v.IsWeight).ToHashSet();
        return new Graph(Name, Parameters, weights.Where(used.Contains), Nodes, outputs);
    }

    public override string ToString() => Ref;
}
