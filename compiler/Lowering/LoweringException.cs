using DyCompile.IR;

namespace DyCompile.Compiler.Lowering;

/// <summary>Stops lowering a method with a diagnostic (the construct cannot compile).</summary>
internal class LoweringException(Diagnostic diagnostic) : Exception(diagnostic.Message)
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}
