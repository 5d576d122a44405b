using DyCompile.IR;
using DyCompile.Passes.Folding;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Memory;
using DyCompile.Passes.Optimization;
using DyCompile.Passes.Partition;
using DyCompile.Passes.Preparation;

namespace DyCompile.Passes.Pipeline;

/// <summary>The passes, in the order they run. A program goes through
/// <list type="number">
/// <item><see cref="VerificationPass"/> — the program must verify;</item>
/// <item><see cref="ConstantFoldingPass"/> — host scalar ops on constants become constants;</item>
/// <item><see cref="ControlFlowSimplificationPass"/> — chains merge, cheap branches are if-converted;</item>
/// <item><see cref="PartitionPass"/> — blocks split into static segments and a host program;</item>
/// <item><see cref="SegmentOptimizationPass"/> — each segment through the e-graph optimizer;</item>
/// <item><see cref="SegmentSharingPass"/> — equal segments (by text, then by functional hash) share one body;</item>
/// <item><see cref="WeightPreparationPass"/> — per distinct segment, the weight-only work is split off;</item>
/// <item><see cref="FusionPass"/> — the per-call nodes are grouped into fused steps;</item>
/// <item><see cref="MemoryPlanningPass"/> — intermediate tensors get planned buffers (asking the backend which nodes write into one);</item>
/// <item>the backend's <see cref="ICodeGenerator{TCode}"/> — the planned program is emitted.</item>
/// </list>
/// Modules and methods are inlined by the frontend while it lowers (the IR has no call op), so
/// every program that reaches the pipeline is already one function. Each pass's result is dumped
/// as text (<see cref="PassDump"/>) when a dump list is given.</summary>
public static class PassPipeline
{
    /// <summary>The whole pipeline: <paramref name="program"/> through every pass to the code
    /// <paramref name="generator"/> produces.</summary>
    /// <exception cref="ProgramVerificationException">The program does not verify.</exception>
    public static (PlannedProgram Planned, TCode Code) Compile<TCode>(IRProgram program, PartitionOptions options, ICodeGenerator<TCode> generator, List<PassDump>? dumps = null)
    {
        var partition = Partition(program, options, dumps);
        var planned = Plan(partition, generator.WritesIntoDestination, dumps);
        var code = Run(generator, planned, dumps, generator.DumpExtension);
        return (planned, code);
    }

    /// <summary>The program-level passes: verify, fold, simplify control flow, partition, optimize
    /// segments, share segments.</summary>
    public static PartitionedProgram Partition(IRProgram program, PartitionOptions options, List<PassDump>? dumps = null)
    {
        var verified = Run(new VerificationPass(), program, dumps);
        var folded = Run(new ConstantFoldingPass(), verified, dumps);
        var simplified = Run(new ControlFlowSimplificationPass(options), folded, dumps);
        var partitioned = Run(new PartitionPass(program), simplified, dumps);
        var optimized = Run(new SegmentOptimizationPass(options), partitioned, dumps);
        return Run(new SegmentSharingPass(options), optimized, dumps);
    }

    /// <summary>The per-segment passes: weight preparation, fusion, memory planning.</summary>
    public static PlannedProgram Plan(PartitionedProgram partition, Func<Node, bool> writesIntoDestination, List<PassDump>? dumps = null)
    {
        var prepared = Run(new WeightPreparationPass(), PlannedProgram.Of(partition), dumps);
        var fused = Run(new FusionPass(), prepared, dumps);
        return Run(new MemoryPlanningPass(writesIntoDestination), fused, dumps);
    }

    private static TOut Run<TIn, TOut>(IPass<TIn, TOut> pass, TIn input, List<PassDump>? dumps, string extension = "txt")
    {
        var output = pass.Run(input);
        dumps?.Add(new PassDump(pass.Name, pass.Dump(output), extension));
        return output;
    }
}
