using DyCompile.IR;

namespace DyCompile.Passes.Pipeline;

/// <summary>The program given to the pipeline is malformed (<see cref="Verifier"/>); the message lists every error.</summary>
public sealed class ProgramVerificationException(IRProgram program, IReadOnlyList<VerifierDiagnostic> errors)
    : Exception($"program @{program.Name} fails verification:\n" + string.Join("\n", errors.Select(e => "  " + e)))
{
    public IReadOnlyList<VerifierDiagnostic> Errors { get; } = errors;
}
