using DyCompile.IR;

namespace DyCompile.Passes.Partition;

/// <summary>Makes the regions without host decisions as large as possible, to a fixed point:
/// unreachable blocks go; a block that jumps to a block only it enters absorbs that block
/// (straight-line chains merge); cheap branches are if-converted (<see cref="IfConversion"/>);
/// nodes whose results nobody reads are dropped (except <c>host.call</c>, which runs for its effect). Loops stay loops: a back edge enters its header
/// from two places, so the header is never absorbed and the body is never copied.</summary>
public static class ControlFlowSimplifier
{
    public static IRProgram Simplify(IRProgram program, PartitionOptions? options = null)
    {
        options ??= new PartitionOptions();
        var names = new NameAllocator(program);
        var ifConversion = new IfConversion(options, names);
        var blocks = Reachable(program).Select(b => new MutableBlock(b)).ToList();
        var entry = blocks[0].Name;
        bool changed;
        do
        {
            changed = false;
            var byName = blocks.ToDictionary(b => b.Name);
            var predecessors = Predecessors(blocks);
            foreach (var block in blocks)
            {
                if (block.Terminator is Jump jump && jump.Target.Block != block.Name && jump.Target.Block != entry
                    && predecessors[jump.Target.Block] == 1)
                {
                    var next = byName[jump.Target.Block];
                    var s = Substitution.Bind(next.Parameters, jump.Target.Arguments);
                    block.Nodes.AddRange(next.Nodes.Select(s.Apply));
                    block.Terminator = s.Apply(next.Terminator);
                    changed = true;
                }
                else if (options.IfConversion && block.Terminator is Branch branch
                    && ifConversion.TryConvert(block, branch, byName, predecessors, entry))
                {
                    changed = true;
                }
                if (changed) break;
            }
            if (changed) blocks = Reachable(blocks);
        }
        while (changed);
        foreach (var block in blocks) RemoveDeadNodes(block);
        return new IRProgram(program.Name, program.Inputs, program.ResultTypes, program.Weights, blocks.Select(b => b.ToBlock()));
    }

    private static Dictionary<string, int> Predecessors(IReadOnlyList<MutableBlock> blocks)
    {
        var count = blocks.ToDictionary(b => b.Name, _ => 0);
        foreach (var b in blocks)
            foreach (var s in b.Terminator.Successors)
                if (count.ContainsKey(s.Block)) count[s.Block]++;
        return count;
    }

    private static List<Block> Reachable(IRProgram program) =>
        ReachableNames(program.Entry.Name, name => program.FindBlock(name)?.Successors ?? [])
            .Select(n => program.FindBlock(n)!).Where(b => b is not null).OrderBy(b => program.Blocks.IndexOf(b)).ToList();

    private static List<MutableBlock> Reachable(List<MutableBlock> blocks)
    {
        var byName = blocks.ToDictionary(b => b.Name);
        var keep = ReachableNames(blocks[0].Name, n => byName.TryGetValue(n, out var b) ? b.Terminator.Successors : []);
        return blocks.Where(b => keep.Contains(b.Name)).ToList();
    }

    private static HashSet<string> ReachableNames(string entry, Func<string, IReadOnlyList<BlockTarget>> successors)
    {
        var seen = new HashSet<string> { entry };
        var work = new Stack<string>([entry]);
        while (work.Count > 0)
            foreach (var s in successors(work.Pop()))
                if (seen.Add(s.Block)) work.Push(s.Block);
        return seen;
    }

    /// <summary>An eager region called through <c>host.call</c> runs for its effect.</summary>
    public static bool HasEffect(Node node) => node.Op == "host.call";

    private static void RemoveDeadNodes(MutableBlock block)
    {
        var live = new HashSet<Value>(block.Terminator.Uses);
        var kept = new List<Node>();
        for (var i = block.Nodes.Count - 1; i >= 0; i--)
        {
            var node = block.Nodes[i];
            if (!node.Results.Any(live.Contains) && !HasEffect(node)) continue;
            kept.Add(node);
            live.UnionWith(node.Operands);
        }
        kept.Reverse();
        block.Nodes = kept;
    }
}
