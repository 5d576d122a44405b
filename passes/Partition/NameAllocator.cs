using DyCompile.IR;

namespace DyCompile.Passes.Partition;

/// <summary>Fresh value names that clash with no name of a program.</summary>
internal sealed class NameAllocator
{
    private readonly HashSet<string> _used;
    private int _next;

    public NameAllocator(IRProgram program) =>
        _used = [.. program.Blocks.SelectMany(b => b.Parameters.Concat(b.Nodes.SelectMany(n => n.Results))).Select(v => v.Name)];

    public string Fresh(string hint)
    {
        string name;
        do name = $"{hint}{_next++}";
        while (!_used.Add(name));
        return name;
    }
}
