using DyCompile.IR;
using DyCompile.Passes.Fusion;

namespace DyCompile.Passes.Memory;

/// <summary>Linear-scan buffer assignment over a segment's steps. A value that needs a buffer
/// takes a free one of exactly its type (kernels check destination shapes) or a new one; a
/// buffer is freed after the last step that reads its value. A kernel never writes into a buffer
/// it reads (freeing happens after the step), except the reads a step consumes elementwise
/// (<see cref="FusionStep.ReadsElementwise"/>: an elementwise loop's inputs, a fused convolution's
/// residual), whose every element is loaded before the result at the same index is stored; their
/// buffers are freed before the step's results are placed when they die there (in-place epilogues).
/// A view (reshape, squeeze, unsqueeze) of a value in a buffer shares that buffer instead of
/// taking one of its own: it has the same elements in the same order, so nothing is copied, and
/// the buffer is freed only after the last read of the value or of any view of it.</summary>
public static class MemoryPlanner
{
    /// <param name="steps">The segment's steps in execution order.</param>
    /// <param name="needsBuffer">Which defined values live in a planned buffer (static tensors
    /// that the code generator writes into a destination, and that are not segment outputs).</param>
    public static MemoryPlan Plan(IReadOnlyList<FusionStep> steps, Func<Value, bool> needsBuffer)
    {
        bool Planned(Value v) => v.Type is TensorType { IsStatic: true } && needsBuffer(v);

        // The value whose buffer each view shares (a view of a view shares the first one's).
        var owner = new Dictionary<Value, Value>();
        var buffered = new HashSet<Value>();
        foreach (var step in steps)
        {
            if (step is NodeStep { Node: { Def.IsView: true, Results.Length: 1 } view } && Planned(view.Result)
                && (buffered.Contains(view.Operands[0]) || owner.ContainsKey(view.Operands[0])))
            {
                owner[view.Result] = owner.GetValueOrDefault(view.Operands[0], view.Operands[0]);
                continue;
            }
            foreach (var v in step.Defines)
                if (Planned(v)) buffered.Add(v);
        }
        Value Owner(Value v) => owner.GetValueOrDefault(v, v);

        // Last read of each buffer's owner, over the owner and its views.
        var lastUse = new Dictionary<Value, int>();
        for (var i = 0; i < steps.Count; i++)
            foreach (var v in steps[i].Reads) lastUse[Owner(v)] = i;

        var buffers = new List<TensorType>();
        var bufferOf = new Dictionary<Value, int>();
        var free = new List<int>();

        void Release(int step, IEnumerable<Value> reads)
        {
            foreach (var v in reads.Select(Owner).Distinct())
                if (lastUse[v] == step && bufferOf.TryGetValue(v, out var b) && !free.Contains(b)) free.Add(b);
        }

        for (var i = 0; i < steps.Count; i++)
        {
            Release(i, steps[i].ReadsElementwise);
            foreach (var v in steps[i].Defines)
            {
                if (owner.TryGetValue(v, out var shared))
                {
                    bufferOf[v] = bufferOf[shared];
                    continue;
                }
                // A value with a `?` dim has no size until run time: never a planned buffer.
                if (!Planned(v)) continue;
                var type = (TensorType)v.Type;
                var slot = free.FindIndex(b => buffers[b] == type);
                int buffer;
                if (slot >= 0)
                {
                    buffer = free[slot];
                    free.RemoveAt(slot);
                }
                else
                {
                    buffer = buffers.Count;
                    buffers.Add(type);
                }
                bufferOf[v] = buffer;
            }
            Release(i, steps[i].Reads.Except(steps[i].ReadsElementwise));
            // A buffer whose value and views nobody reads is free at once.
            foreach (var v in steps[i].Defines)
                if (!lastUse.ContainsKey(Owner(v)) && bufferOf.TryGetValue(v, out var b) && !free.Contains(b)) free.Add(b);
        }
        return new MemoryPlan(buffers, bufferOf, owner.Keys.ToHashSet());
    }
}
