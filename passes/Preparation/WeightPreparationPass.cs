using DyCompile.IR;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Passes.Preparation;

/// <summary>Splits each distinct segment into the work that reads only weights and constants,
/// done once per set of weight tensors, and the per-call rest (<see cref="WeightPreparation"/>).
/// It runs before fusion: fusion groups what is left to do on every call.</summary>
public sealed class WeightPreparationPass : IPass<PlannedProgram, PlannedProgram>
{
    public string Name => "prepare-weights";

    public PlannedProgram Run(PlannedProgram program) => program.With(s => s with { Preparation = WeightPreparation.Split(s.Graph) });

    public string Dump(PlannedProgram program) => string.Concat(program.Segments.Select(s =>
    {
        var p = s.Preparation!;
        if (p.Nodes.Count == 0) return $"{s.Segment.Name}: nothing to prepare\n";
        var weights = string.Join(", ", p.WeightPositions.Select(k => s.Graph.Weights[k].Ref));
        return $"{s.Segment.Name}: {p.Nodes.Count} node(s) run once per set of weights ({weights}), {p.Derived.Count} result(s) read per call\n"
            + string.Concat(p.Nodes.Select(n => "  " + IRPrinter.Print(n) + "\n"));
    }));
}
