using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Passes.Memory;

/// <summary>Decides which values the code generator writes into a destination and assigns the
/// intermediate ones to buffers (<see cref="MemoryPlanner"/>). Fused loops and convolution
/// and linear epilogues always write into one; a single node does when its result is one static tensor and
/// the code generator can compute it into a given tensor (<paramref name="writesIntoDestination"/>,
/// the backend's answer). Segment outputs go to the caller's destination, never to a planned buffer.</summary>
public sealed class MemoryPlanningPass(Func<Node, bool> writesIntoDestination) : IPass<PlannedProgram, PlannedProgram>
{
    public string Name => "plan-memory";

    public PlannedProgram Run(PlannedProgram program) => program.With(Plan);

    private PlannedSegment Plan(PlannedSegment segment)
    {
        var steps = segment.Steps ?? throw new InvalidOperationException($"segment {segment.Segment.Name}: fusion runs before memory planning");
        var outputs = segment.Graph.Outputs.ToHashSet();
        var intoDestination = new HashSet<Value>();
        foreach (var step in steps)
        {
            if (step is ElementwiseLoop loop) intoDestination.UnionWith(loop.Outputs);
            else if (step is ConvolutionEpilogue fused) intoDestination.Add(fused.Output);
            else if (step is LinearEpilogue linear) intoDestination.Add(linear.Output);
            else if (step is BatchNormEpilogue norm) intoDestination.Add(norm.Output);
            else if (step is PermutedProduct product) intoDestination.Add(product.Output);
            else if (step is NodeStep { Node: var n } && n.Results.Length == 1 && n.Result.Type is TensorType { IsStatic: true } && writesIntoDestination(n))
                intoDestination.Add(n.Result);
        }
        var memory = MemoryPlanner.Plan(steps, v => intoDestination.Contains(v) && !outputs.Contains(v));
        return segment with { Memory = memory, IntoDestination = intoDestination };
    }

    public string Dump(PlannedProgram program) => string.Concat(program.Segments.Select(s =>
    {
        var memory = s.Memory!;
        var text = $"{s.Segment.Name}: {memory.Buffers.Count} buffer(s), {memory.TotalBytes} bytes\n";
        for (var b = 0; b < memory.Buffers.Count; b++)
            text += $"  buffer {b} {memory.Buffers[b]}: {string.Join(", ", memory.BufferOf.Where(p => p.Value == b).Select(p => p.Key.Ref))}\n";
        return text;
    }));
}
