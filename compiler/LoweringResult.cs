using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile;

/// <summary>What lowering one forward method produced: the program (null when an error was
/// reported), the weights it reads by name, and every diagnostic.</summary>
public sealed record LoweringResult(IRProgram? Program, IReadOnlyDictionary<string, Tensor> Weights, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Program is not null && !Diagnostics.Any(d => d.IsError);

    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);

    public IEnumerable<Diagnostic> Warnings => Diagnostics.Where(d => !d.IsError);
}
