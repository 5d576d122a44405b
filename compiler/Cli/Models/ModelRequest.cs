namespace DyCompile.Cli.Models;

/// <summary>What the command line asks of the models of an input: which ones (by full or short
/// class name; all <c>[DyCompile]</c> classes when empty) and overrides of their attribute.</summary>
public sealed record ModelRequest
{
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>Replaces <c>[DyCompile(Inputs = ...)]</c> (one model only).</summary>
    public IReadOnlyList<string>? Inputs { get; init; }

    public string? Method { get; init; }

    public bool Strict { get; init; }

    /// <summary>The configuration a project input is built in.</summary>
    public string Configuration { get; init; } = "Release";

    /// <summary>Assemblies the model's assembly references (the build passes the project's
    /// references), found by simple name when it loads them.</summary>
    public IReadOnlyList<string> References { get; init; } = [];
}
