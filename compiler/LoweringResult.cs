using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;

namespace DyCompile;

/// <summary>What lowering one forward method produced: the program (null when an error was
/// reported), the weights it reads by name, and every diagnostic.</summary>
public sealed record LoweringResult(IRProgram? Program, IReadOnlyDictionary<string, Tensor> Weights, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>The eager regions and traps the program calls through <c>host.call</c>, numbered as
    /// it names them: pass it to whatever runs the program (the interpreter's options, the JIT, the
    /// ONNX exporter).</summary>
    public HostCallbacks Callbacks { get; init; } = HostCallbacks.None;

    public bool Succeeded => Program is not null && !Diagnostics.Any(d => d.IsError);

    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);

    public IEnumerable<Diagnostic> Warnings => Diagnostics.Where(d => !d.IsError);
}
