using DyCompile.IR;

namespace DyCompile.Compiler.Lowering;

/// <summary>What one lowering attempt ends with: the program, or a restart.</summary>
internal abstract record LoweringAttempt
{
    private LoweringAttempt()
    {
    }

    /// <summary>The attempt settled: every block's types and specializations held to the end.</summary>
    public sealed record Lowered(IRProgram Program) : LoweringAttempt;

    /// <summary>The attempt learned <paramref name="Request"/>, which changes blocks it already
    /// emitted; <paramref name="Diagnostic"/> stands if the request teaches the plan nothing new.</summary>
    public sealed record Restart(Diagnostic Diagnostic, RestartRequest Request) : LoweringAttempt;
}
