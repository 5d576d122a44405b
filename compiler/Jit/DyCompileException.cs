using DyCompile.Compiler;

namespace DyCompile;

/// <summary>A model did not compile; <see cref="Diagnostics"/> says why (the message lists the
/// errors as <c>file(line,column): error DYCnnnn: …</c>).</summary>
public sealed class DyCompileException(IReadOnlyList<Diagnostic> diagnostics)
    : Exception("the model did not compile:\n" + string.Join("\n", diagnostics.Where(d => d.IsError).Select(d => "  " + d)))
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}
