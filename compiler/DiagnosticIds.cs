namespace DyCompile.Compiler;

/// <summary>Stable ids of the diagnostics the compiler reports (documented in docs/diagnostics.md).</summary>
public static class DiagnosticIds
{
}
