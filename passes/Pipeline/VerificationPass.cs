using DyCompile.IR;

namespace DyCompile.Passes.Pipeline;

/// <summary>The first pass: the program must verify (<see cref="Verifier"/>) before anything
/// transforms it; it passes through unchanged.</summary>
/// <exception cref="ProgramVerificationException">The program has verifier errors.</exception>
public sealed class VerificationPass : IPass<IRProgram, IRProgram>
{
    public string Name => "verify";

    public IRProgram Run(IRProgram program)
    {
        var errors = Verifier.Errors(program);
        return errors.Count > 0 ? throw new ProgramVerificationException(program, errors) : program;
    }

    public string Dump(IRProgram program) =>
        $"@{program.Name} verifies: {program.Blocks.Length} block(s), {program.Blocks.Sum(b => b.Nodes.Count())} node(s), {program.Weights.Length} weight(s)\n";
}
