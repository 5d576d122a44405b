using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>What a compiled program runs, read from the plan its code was generated from (the
/// steps of each distinct segment, their weight preparation and destinations), not from the
/// spelling of the generated C#.</summary>
internal static class Plans
{
    public static IEnumerable<FusionStep> Steps(CompiledProgram program) => program.Planned.Segments.SelectMany(s => s.Steps!);

    /// <summary>Every node a segment runs on each call: its single steps, the nodes of its fused
    /// loops, and the convolutions, linear layers, batch norms and products with the nodes they absorbed.</summary>
    public static IEnumerable<Node> PerCallNodes(PlannedSegment segment) => segment.Steps!.SelectMany(step => step switch
    {
        NodeStep n => [n.Node],
        ElementwiseLoop loop => loop.Nodes,
        ConvolutionEpilogue c => [c.Convolution, .. c.Absorbed],
        LinearEpilogue l => [l.Linear, l.Activation],
        BatchNormEpilogue b => [b.BatchNorm, b.Relu],
        PermutedProduct p => p.Absorbed,
        _ => (IEnumerable<Node>)[],
    });

    /// <summary>Whether some segment runs <paramref name="op"/> as a step of its own that writes
    /// into a destination (a planned buffer or the caller's) instead of allocating its result.</summary>
    public static bool WritesIntoDestination(CompiledProgram program, string op) =>
        program.Planned.Segments.Any(s => s.Steps!.OfType<NodeStep>().Any(step => step.Node.Op == op && s.IntoDestination!.Contains(step.Node.Result)));

    /// <summary>The host control flow of the compiled program.</summary>
    public static FlowGraph HostFlow(CompiledProgram program) => FlowGraph.Of(program.Partition.Simplified);
}
