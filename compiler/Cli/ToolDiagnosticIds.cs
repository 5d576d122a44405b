namespace DyCompile.Cli;

/// <summary>Stable ids of what the build step and the <c>dycompile</c> command report beyond the
/// frontend's own diagnostics (<see cref="Compiler.DiagnosticIds"/>; docs/build-step.md).</summary>
public static class ToolDiagnosticIds
{
    /// <summary>An input type in <c>[DyCompile(Inputs = ...)]</c> or <c>--inputs</c> does not parse.</summary>
    public const string BadInputType = "DYC0501";

    /// <summary>The build could not make an instance: no public parameterless constructor, no such
    /// factory, or the constructor/factory threw.</summary>
    public const string NoInstance = "DYC0502";

    /// <summary>A target the ahead-of-time build cannot generate code for.</summary>
    public const string UnsupportedTarget = "DYC0503";

    /// <summary>The lowered program runs statements eagerly through host callbacks, which exist
    /// only in the process that lowered it; ahead-of-time code cannot call them.</summary>
    public const string EagerRegionAheadOfTime = "DYC0504";

    /// <summary>The forward signature has no compiled-delegate form (too many parameters or results).</summary>
    public const string UnsupportedSignature = "DYC0505";

    /// <summary>An input file or assembly is missing or unreadable, or holds no model.</summary>
    public const string BadInput = "DYC0506";

    /// <summary>An IR text input does not parse, or a program cannot be exported or hashed.</summary>
    public const string BadProgram = "DYC0507";

    /// <summary>A line of a rule file (<c>dycompile check-rules</c>) does not parse.</summary>
    public const string BadRule = "DYC0508";

    /// <summary>A rule of a rule file is unsound (a counterexample follows), or cannot be checked.</summary>
    public const string UnsoundRule = "DYC0509";
}
