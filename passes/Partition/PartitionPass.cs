using DyCompile.IR;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Passes.Partition;

/// <summary>Splits the simplified program into static segments and a host program
/// (<see cref="Partitioner.Split"/>); segments are grouped by canonical text only, the optimizer and
/// functional sharing come after.</summary>
/// <param name="original">The program as the pipeline received it (its name, inputs, results and weights).</param>
public sealed class PartitionPass(IRProgram original) : IPass<IRProgram, PartitionedProgram>
{
    public string Name => "partition";

    public PartitionedProgram Run(IRProgram simplified) => Partitioner.Split(original, simplified);

    public string Dump(PartitionedProgram partition) => partition.ToText(withBodies: false);
}
