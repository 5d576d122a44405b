using DyCompile.Compiler;

namespace DyCompile.Cli;

/// <summary>A user error the command reports as diagnostics and exit code 1 (never a stack trace).</summary>
public sealed class CliException(IReadOnlyList<Diagnostic> diagnostics)
    : Exception(string.Join("\n", diagnostics))
{
    public CliException(string file, string message)
        : this([new Diagnostic(ToolDiagnosticIds.BadInput, DiagnosticSeverity.Error, file, 1, 1, message)]) { }

    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}
