using DyCompile.IR;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Passes.Fusion;

/// <summary>Groups each segment's per-call nodes into steps (<see cref="FusionPlanner"/>): fused
/// elementwise loops, convolution, linear and batch-norm epilogues, single nodes.</summary>
public sealed class FusionPass : IPass<PlannedProgram, PlannedProgram>
{
    public string Name => "fuse";

    public PlannedProgram Run(PlannedProgram program) => program.With(s => s with
    {
        Steps = FusionPlanner.Plan((s.Preparation ?? throw new InvalidOperationException($"segment {s.Segment.Name}: weight preparation runs before fusion")).PerCall),
    });

    public string Dump(PlannedProgram program) => string.Concat(program.Segments.Select(s =>
        $"{s.Segment.Name}: {s.Steps!.Count} step(s)\n" + string.Concat(s.Steps.Select(step => "  " + Label(step)
            + (step is ElementwiseLoop { EpilogueOf: { } producer } ? $" (epilogue of {producer.Op})" : "") + "\n"))));

    /// <summary>What a step does, for dumps and profile counters: the op or fused ops and the result shape.</summary>
    public static string Label(FusionStep step) => step switch
    {
        ElementwiseLoop loop => $"loop [{string.Join(" ", loop.Nodes.Select(n => n.Op))}] {TensorType.FormatShape(loop.Shape.Shape)}",
        ConvolutionEpilogue c => $"conv2d + [{string.Join(" ", c.Absorbed.Select(n => n.Op))}] {Shape(c.Output)}",
        LinearEpilogue l => $"linear + [{l.Activation.Op}] {Shape(l.Output)}",
        BatchNormEpilogue b => $"batch_norm + [{b.Relu.Op}] {Shape(b.Output)}",
        PermutedProduct p => $"matmul + [{string.Join(" ", p.Absorbed.Where(n => n != p.MatMul).Select(n => n.Op))}] {Shape(p.Output)}",
        NodeStep { Node: var n } => n.Results.Length == 1 ? $"{n.Op} {Shape(n.Result)}" : n.Op,
        _ => step.GetType().Name,
    };

    private static string Shape(Value v) => v.Type is TensorType t ? TensorType.FormatShape(t.Shape) : v.Type.ToString();
}
