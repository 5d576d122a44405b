namespace DyCompile.Compiler;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>A finding of the frontend: a stable id (<see cref="DiagnosticIds"/>), where it is
/// (file, 1-based line and column) and what to do about it.</summary>
public sealed record Diagnostic(string Id, DiagnosticSeverity Severity, string File, int Line, int Column, string Message)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    public override string ToString() =>
        $"{File}({Line},{Column}): {(IsError ? "error" : "warning")} {Id}: {Message}";
}
