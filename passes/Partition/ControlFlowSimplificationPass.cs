using DyCompile.IR;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Passes.Partition;

/// <summary>Chains merge, cheap branches are if-converted, dead nodes go (<see cref="ControlFlowSimplifier"/>):
/// the regions without host decisions become as large as they can before the program is split.</summary>
public sealed class ControlFlowSimplificationPass(PartitionOptions options) : IPass<IRProgram, IRProgram>
{
    public string Name => "simplify-control-flow";

    public IRProgram Run(IRProgram program) => ControlFlowSimplifier.Simplify(program, options);

    public string Dump(IRProgram program) => IRPrinter.Print(program);
}
