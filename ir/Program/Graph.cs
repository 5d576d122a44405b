using System.Collections.Immutable;

namespace DyCompile.IR;

/// <summary>A static SSA dataflow graph: named inputs, the weights it reads, nodes in
/// topological order, and outputs. A block body is one; a segment after partitioning is one.</summary>
public sealed class Graph(string name, IEnumerable<Value> inputs, IEnumerable<Value> weights, IEnumerable<Node> nodes, IEnumerable<Value> outputs)
{
    public string Name { get; } = name;

    public ImmutableArray<Value> Inputs { get; } = [.. inputs];

    public ImmutableArray<Value> Weights { get; } = [.. weights];

    public ImmutableArray<Node> Nodes { get; } = [.. nodes];

    public ImmutableArray<Value> Outputs { get; } = [.. outputs];

    /// <summary>The graph as a one-block program (inputs = entry parameters, <c>return</c> of the
    /// outputs), so it can be printed, verified and run like any program.</summary>
    public IRProgram ToProgram() => new(
        Name,
        Inputs.Select(v => new ProgramInput(v.Name, v.Type)),
        Outputs.Select(v => v.Type),
        Weights,
        [new Block("entry", Inputs, [.. Nodes, new Return(Outputs)])]);

    /// <summary>Estimated total cost: the sum over nodes of the catalog's cost rules.</summary>
    public OpCost Cost() => Nodes
        .Where(n => n.Def is not null)
        .Aggregate(new OpCost(0, 0), (sum, n) => sum + OpCatalog.Cost(n.Op, n.Operands.Select(v => v.Type).ToArray(), n.Attrs, n.Results.Select(v => v.Type).ToArray()));

    public override string ToString() => IRPrinter.Print(this);
}
