using DyCompile.Backends.Cpu;
using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Backends.Host;

/// <summary>Lays out the host program as structured C#, after Ramsey's "Beyond Relooper" (2022):
/// walk the dominator tree; a loop header becomes <c>while (true)</c>; a branch becomes
/// <c>if</c>/<c>else</c> whose arms hold the blocks they alone reach; a block reached from several
/// places (a merge) is placed after the code of its immediate dominator, and reaching it is either
/// falling through or a forward <c>goto</c> to its label; a back edge is falling off the end of
/// the loop body, <c>continue</c>, or a <c>goto</c> to an outer loop's label. An irreducible
/// host program (a loop with two entries) is emitted as labelled blocks joined by <c>goto</c>.
/// Reverse postorder, dominators and loops come from the IR's <see cref="FlowGraph"/>.</summary>
internal sealed class HostStructurer
{
    private readonly IReadOnlyList<HostBlock> _blocks;
    private readonly HostEmitter _emitter;
    private readonly Dictionary<string, HostBlock> _byName;
    private readonly FlowGraph _cfg;
    private readonly HashSet<string> _loopHeaders;
    private readonly HashSet<string> _merges = [];

    private abstract record Frame(string Block);
    private sealed record LoopFrame(string Block) : Frame(Block);
    private sealed record FollowFrame(string Block) : Frame(Block);

    public HostStructurer(IReadOnlyList<HostBlock> blocks, HostEmitter emitter)
    {
        _blocks = blocks;
        _emitter = emitter;
        _byName = blocks.ToDictionary(b => b.Name);
        _cfg = new FlowGraph(blocks[0].Name, Successors);
        _loopHeaders = [.. _cfg.LoopHeaders];
        var forwardIn = _cfg.ReversePostOrder.ToDictionary(n => n, _ => 0);
        foreach (var from in _cfg.ReversePostOrder)
            foreach (var to in _cfg.Successors(from))
                if (!_cfg.IsRetreating(from, to)) forwardIn[to]++;
        _merges.UnionWith(forwardIn.Where(p => p.Value >= 2).Select(p => p.Key));
    }

    /// <summary>The loop heads, in reverse postorder: the numbering of <see cref="ExecutionControl.Tick"/>.</summary>
    public IReadOnlyList<string> LoopHeads => _cfg.LoopHeaders;

    private IEnumerable<string> Successors(string name) => _byName[name].Terminator.Successors.Select(s => s.Block);

    private static string Label(string block) => CSharpSyntax.Identifier("L_", block);

    public void Emit(CodeWriter w)
    {
        if (!_cfg.IsReducible)
        {
            w.Line("// irreducible control flow: labelled blocks and goto");
            foreach (var block in _blocks.Where(b => _cfg.Contains(b.Name)))
            {
                w.Label(Label(block.Name));
                _emitter.EmitBody(w, block);
                EmitTerminator(w, block, (_, target) => w.Line($"goto {Label(target)};"));
            }
            return;
        }
        DoTree(w, _blocks[0].Name, []);
    }

    private void DoTree(CodeWriter w, string x, List<Frame> context)
    {
        var merges = _cfg.DominatorTreeChildren(x).Where(_merges.Contains).OrderByDescending(_cfg.Rank).ToList();
        if (_loopHeaders.Contains(x))
        {
            w.Label(Label(x));
            using (w.Block("while (true)"))
                NodeWithin(w, x, merges, [.. context, new LoopFrame(x)]);
        }
        else
        {
            NodeWithin(w, x, merges, context);
        }
    }

    private void NodeWithin(CodeWriter w, string x, List<string> merges, List<Frame> context)
    {
        if (merges.Count == 0)
        {
            _emitter.EmitBody(w, _byName[x]);
            EmitTerminator(w, _byName[x], (from, to) => DoBranch(w, from, to, context));
            return;
        }
        var y = merges[0];
        NodeWithin(w, x, merges.Skip(1).ToList(), [.. context, new FollowFrame(y)]);
        if (!_loopHeaders.Contains(y)) w.Label(Label(y));
        DoTree(w, y, context);
    }

    private void DoBranch(CodeWriter w, string from, string to, List<Frame> context)
    {
        var innermost = context.Count > 0 ? context[^1] : null;
        if (_cfg.IsRetreating(from, to))
        {
            if (innermost is LoopFrame { Block: var h } && h == to) return;
            var innermostLoop = context.OfType<LoopFrame>().LastOrDefault();
            w.Line(innermostLoop?.Block == to ? "continue;" : $"goto {Label(to)};");
        }
        else if (_merges.Contains(to))
        {
            if (innermost is FollowFrame { Block: var f } && f == to) return;
            w.Line($"goto {Label(to)};");
        }
        else
        {
            DoTree(w, to, context);
        }
    }

    private void EmitTerminator(CodeWriter w, HostBlock block, Action<string, string> jump)
    {
        switch (block.Terminator)
        {
            case Return ret:
                _emitter.EmitReturn(w, ret);
                break;
            case Jump j:
                _emitter.EmitTransfer(w, j.Target);
                jump(block.Name, j.Target.Block);
                break;
            case Branch br:
                using (w.Block($"if ({_emitter.Condition(br)})"))
                {
                    _emitter.EmitTransfer(w, br.IfTrue);
                    jump(block.Name, br.IfTrue.Block);
                }
                using (w.Block("else"))
                {
                    _emitter.EmitTransfer(w, br.IfFalse);
                    jump(block.Name, br.IfFalse.Block);
                }
                break;
        }
    }
}
