using DyCompile.IR;

namespace DyCompile;

/// <summary>How <see cref="ModelLowering"/> lowers one method.</summary>
public sealed record LoweringOptions
{
    /// <summary>Every construct outside the compiled subset is an error; otherwise (the default)
    /// a statement that cannot compile runs eagerly through a <c>host.call</c> and is a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>The IR type of each method parameter, in order. A tensor parameter needs one
    /// (its rank at least); host scalars (int, float, bool) may be left null.</summary>
    public IReadOnlyList<IRType?>? InputTypes { get; init; }

    /// <summary>Most IR blocks one lowering may create before it reports that a loop does not
    /// settle (a loop whose carried tensors change shape, or an unrolled loop without a bound).</summary>
    public int BlockLimit { get; init; } = 2000;

    /// <summary>Most times one lowering may start again after learning something that changes
    /// blocks it already emitted (a counter that must stay known to unroll its loop, a loop-carried
    /// tensor whose sizes change). Each restart must learn something new, so lowering ends anyway;
    /// this bounds its cost, and the diagnostic names what kept changing.</summary>
    public int RestartLimit { get; init; } = 64;

    /// <summary>File name used in diagnostics when lowering from source text.</summary>
    public string FileName { get; init; } = "model.cs";

    /// <summary>The global usings of a project made with the .NET SDK's
    /// <c>&lt;ImplicitUsings&gt;enable&lt;/ImplicitUsings&gt;</c> (the default of <c>dotnet new</c>).</summary>
    public static IReadOnlyList<string> SdkImplicitUsings { get; } =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    /// <summary>Namespaces imported into source text lowered by
    /// <see cref="ModelLowering.Lower(string, string, string, object?, LoweringOptions?)"/>, as the
    /// project's <c>global using</c> directives are: a file that builds in the project builds here.
    /// The default is <see cref="SdkImplicitUsings"/>; pass the project's own list (or none, for a
    /// project without implicit usings). Lowering a Roslyn <c>Compilation</c> takes its usings as they are.</summary>
    public IReadOnlyList<string> GlobalUsings { get; init; } = SdkImplicitUsings;
}
