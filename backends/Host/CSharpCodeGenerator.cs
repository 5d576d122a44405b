using DyCompile.Backends.Cpu;
using DyCompile.IR;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Backends.Host;

/// <summary>The CPU backend as the pipeline's last pass: SIMD C# segment classes and the host
/// dispatcher (<see cref="ProgramGenerator"/>), in namespace <paramref name="ns"/>.</summary>
/// <param name="profileSteps">Generate segments that time every step.</param>
public sealed class CSharpCodeGenerator(string ns, bool profileSteps = false) : ICodeGenerator<GeneratedProgram>
{
    public string Name => "emit-csharp";

    public string DumpExtension => "cs";

    public bool WritesIntoDestination(Node node) => SegmentEmitter.WritesIntoDestination(node);

    public GeneratedProgram Run(PlannedProgram program) => ProgramGenerator.Generate(program, ns, profileSteps);

    public string Dump(GeneratedProgram code) => code.Source;
}
