using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>Which locals, parameters and flow captures are live on entry to each block of a
/// Roslyn control flow graph (backward dataflow to a fixpoint). Only live values become block
/// parameters, so a loop carries exactly the values it still needs.</summary>
internal sealed class Liveness
{
    private readonly HashSet<object>[] _liveIn;

    public Liveness(ControlFlowGraph graph)
    {
        var n = graph.Blocks.Length;
        var reads = new HashSet<object>[n];
        var writes = new HashSet<object>[n];
        _liveIn = new HashSet<object>[n];
        for (var i = 0; i < n; i++)
        {
            reads[i] = [];
            writes[i] = [];
            var block = graph.Blocks[i];
            foreach (var op in block.Operations) Collect(op, reads[i], writes[i]);
            if (block.BranchValue is { } value) Collect(value, reads[i], writes[i]);
            _liveIn[i] = [.. reads[i]];
        }
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = n - 1; i >= 0; i--)
            {
                var block = graph.Blocks[i];
                var liveOut = new HashSet<object>();
                foreach (var s in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
                    if (s?.Destination is { } d) liveOut.UnionWith(_liveIn[d.Ordinal]);
                liveOut.ExceptWith(writes[i]);
                foreach (var v in liveOut)
                    if (_liveIn[i].Add(v)) changed = true;
            }
        }
    }

    public bool IsLiveIn(BasicBlock block, object slot) => _liveIn[block.Ordinal].Contains(slot);

    /// <summary>The slots that may be read once operation <paramref name="index"/> of
    /// <paramref name="block"/> has started: read by it or a later operation, by the branch, or
    /// live into a successor.</summary>
    public HashSet<object> LiveFrom(BasicBlock block, int index)
    {
        var live = new HashSet<object>();
        foreach (var s in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
            if (s?.Destination is { } d) live.UnionWith(_liveIn[d.Ordinal]);
        var writes = new HashSet<object>();
        for (var i = Math.Max(0, index); i < block.Operations.Length; i++) Collect(block.Operations[i], live, writes);
        if (block.BranchValue is { } value) Collect(value, live, writes);
        return live;
    }

    private static void Collect(IOperation root, HashSet<object> reads, HashSet<object> writes)
    {
        // A slot written before any read in the block kills liveness; one read anywhere is live
        // (conservative: a read after a write only keeps a value live that may be dead).
        var assignedTargets = new HashSet<IOperation>();
        foreach (var op in root.DescendantsAndSelf())
        {
            switch (op)
            {
                case ISimpleAssignmentOperation a:
                    MarkTargets(a.Target, assignedTargets, writes);
                    break;
                case IDeconstructionAssignmentOperation d:
                    MarkTargets(d.Target, assignedTargets, writes);
                    break;
                case IFlowCaptureOperation c:
                    writes.Add(c.Id);
                    break;
            }
        }
        foreach (var op in root.DescendantsAndSelf())
        {
            if (assignedTargets.Contains(op)) continue;
            switch (op)
            {
                case ILocalReferenceOperation l: reads.Add(l.Local); break;
                case IParameterReferenceOperation p: reads.Add(p.Parameter); break;
                case IFlowCaptureReferenceOperation c: reads.Add(c.Id); break;
            }
        }
        writes.ExceptWith(reads);
    }

    private static void MarkTargets(IOperation target, HashSet<IOperation> assigned, HashSet<object> writes)
    {
        switch (target)
        {
            case ILocalReferenceOperation l:
                assigned.Add(l);
                writes.Add(l.Local);
                break;
            case IParameterReferenceOperation p:
                assigned.Add(p);
                writes.Add(p.Parameter);
                break;
            case IDeclarationExpressionOperation d:
                MarkTargets(d.Expression, assigned, writes);
                break;
            case ITupleOperation t:
                foreach (var e in t.Elements) MarkTargets(e, assigned, writes);
                break;
        }
    }
}
