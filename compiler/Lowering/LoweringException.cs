using DyCompile.IR;

namespace DyCompile.Compiler.Lowering;

/// <summary>Stops lowering a method with a diagnostic (the construct cannot compile).</summary>
internal class LoweringException(Diagnostic diagnostic) : Exception(diagnostic.Message)
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}

/// <summary>A run-time value was used where the compiler needs a constant (an attribute, an
/// index into a module list). Lowering retries with the locals it came from kept at compile
/// time (unrolling their loop); when there are none, the diagnostic stands.</summary>
internal sealed class NeedStaticException(Diagnostic diagnostic, Value value) : LoweringException(diagnostic)
{
    public Value Value { get; } = value;
}
