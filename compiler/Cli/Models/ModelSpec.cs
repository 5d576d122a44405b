using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Cli.Models;

/// <summary>A <c>[DyCompile]</c> class and what the build needs to compile it, with the source
/// locations diagnostics about it point at.</summary>
public sealed record ModelSpec(Type Type, DyCompileAttribute Attribute, IReadOnlyList<IRType?> InputTypes, string Method, bool Strict, SourceSpot Class, SourceSpot AttributeSpot)
{
    public string FullName => Type.FullName ?? Type.Name;

    public Diagnostic Error(string id, string message, bool atAttribute = true)
    {
        var at = atAttribute ? AttributeSpot : Class;
        return new Diagnostic(id, DiagnosticSeverity.Error, at.File, at.Line, at.Column, message);
    }
}

/// <summary>A file position (1-based line and column).</summary>
public sealed record SourceSpot(string File, int Line, int Column);
