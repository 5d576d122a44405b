using DyCompile.IR;

namespace DyCompile.Passes.Partition;

/// <summary>A block under rewriting: its nodes and terminator can be replaced in place.</summary>
internal sealed class MutableBlock(Block block)
{
    public string Name { get; } = block.Name;

    public IReadOnlyList<Value> Parameters { get; } = block.Parameters;

    public List<Node> Nodes { get; set; } = [.. block.Nodes];

    public Terminator Terminator { get; set; } = block.Terminator ?? throw new ArgumentException($"^{block.Name} has no terminator");

    public Block ToBlock() => new(Name, Parameters, [.. Nodes, Terminator]);
}
