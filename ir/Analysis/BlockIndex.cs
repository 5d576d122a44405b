namespace DyCompile.IR;

/// <summary>A program's blocks by name and the set reachable from the entry, each found once:
/// name lookups are constant time and the walk visits every edge once, so an analysis over the
/// whole program stays linear in its size however many blocks it has.</summary>
/// <remarks>A name defined twice resolves to its first block, as <see cref="IRProgram.FindBlock"/>
/// does. The walk is iterative, so a chain of any length does not deepen the call stack.</remarks>
internal sealed class BlockIndex
{
    private readonly Dictionary<string, Block> _byName = new(StringComparer.Ordinal);

    public BlockIndex(IRProgram program)
    {
        foreach (var block in program.Blocks) _byName.TryAdd(block.Name, block);
        Reachable = program.Blocks.Length == 0 ? new HashSet<Block>() : Walk(program.Entry);
    }

    /// <summary>The blocks some path of edges leads to from the entry, the entry included.</summary>
    public IReadOnlySet<Block> Reachable { get; }

    public Block? Find(string name) => _byName.GetValueOrDefault(name);

    private HashSet<Block> Walk(Block entry)
    {
        var reached = new HashSet<Block> { entry };
        var work = new Stack<Block>();
        work.Push(entry);
        while (work.Count > 0)
            foreach (var edge in work.Pop().Successors)
                if (Find(edge.Block) is { } next && reached.Add(next))
                    work.Push(next);
        return reached;
    }
}
