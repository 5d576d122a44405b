using System.Text;
using DyCompile.Backends.Cpu;
using DyCompile.Backends.Host;
using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Compiler.Jit;

/// <summary>Compiles IR programs in memory: verify → partition (control-flow simplification,
/// if-conversion, segments, structural hashing) → per distinct segment fusion and memory
/// planning → C# (segment classes + host dispatcher) → Roslyn → a loaded <see cref="CompiledProgram"/>.
/// Several programs compiled together share one Roslyn compilation (it dominates compile time).</summary>
public static class JitCompiler
{
    public static IReadOnlyList<string> SupportedTargets { get; } = ["cpu"];

    public static CompiledProgram Compile(IRProgram program, IReadOnlyDictionary<string, Tensor>? weights = null, CompileOptions? options = null) =>
        CompileMany([(program, weights)], options)[0];

    public static IReadOnlyList<CompiledProgram> CompileMany(IReadOnlyList<(IRProgram Program, IReadOnlyDictionary<string, Tensor>? Weights)> programs, CompileOptions? options = null) =>
        CompileBound([.. programs.Select(p => (p.Program, p.Weights, (ModelBinding?)null))], options);

    /// <summary>Compiles a program lowered from a model instance: its weights follow the
    /// instance's parameters and its loops know their source lines.</summary>
    internal static CompiledProgram CompileModel(IRProgram program, IReadOnlyDictionary<string, Tensor> weights, ModelBinding model, CompileOptions? options) =>
        CompileBound([(program, weights, model)], options)[0];

    private static IReadOnlyList<CompiledProgram> CompileBound(IReadOnlyList<(IRProgram Program, IReadOnlyDictionary<string, Tensor>? Weights, ModelBinding? Model)> programs, CompileOptions? options)
    {
        if (options?.LoopIterationLimit is < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.LoopIterationLimit, "CompileOptions.LoopIterationLimit is zero or more");
        options ??= new CompileOptions();
        if (!SupportedTargets.Contains(options.Target))
            throw new CompilationException($"unsupported target '{options.Target}'; supported targets: {string.Join(", ", SupportedTargets.Select(t => $"\"{t}\""))}");

        var prepared = new List<(IRProgram Program, IReadOnlyDictionary<string, Tensor> Weights, ModelBinding? Model, PartitionedProgram Partition, GeneratedProgram Generated, List<PassDump> Dumps)>();
        var source = new StringBuilder(ProgramGenerator.Usings);
        for (var i = 0; i < programs.Count; i++)
        {
            var (program, weights, model) = programs[i];
            var errors = Verifier.Errors(program);
            if (errors.Count > 0)
                throw new CompilationException($"program @{program.Name} fails verification:\n" + string.Join("\n", errors.Select(e => "  " + e)));
            var bound = CheckWeights(program, weights);
            var partition = Partitioner.Partition(program, options.Partition);
            var generated = ProgramGenerator.Generate(partition, $"DyCompile.Generated.P{i}_{CSharpSyntax.Identifier("", program.Name)}", options.ProfileSteps);
            var dumps = new List<PassDump>
            {
                new("input", IRPrinter.Print(program)),
                new("simplify-control-flow", IRPrinter.Print(partition.Simplified)),
                new("partition", partition.ToText(withBodies: true)),
                new("partition-dot", partition.ToDot()),
                new("fusion-memory", DescribeFusion(partition)),
                new("csharp", generated.Source),
            };
            source.Append(generated.Source).Append('\n');
            prepared.Add((program, bound, model, partition, generated, dumps));
        }

        var text = source.ToString();
        var code = new GeneratedCode($"DyCompile.Generated.{string.Join("+", prepared.Select(p => p.Program.Name))}", context => RoslynBuild.Build(text, context));
        var result = new List<CompiledProgram>();
        foreach (var (program, weights, model, partition, generated, dumps) in prepared)
        {
            var type = code.Assembly.GetType(generated.HostTypeName) ?? throw new CompilationException($"generated type {generated.HostTypeName} is missing");
            if (options.DumpDirectory is { } dir) Dump(dir, program.Name, dumps);
            Tensor[] ordered = [.. program.Weights.Select(w => weights[w.Name])];
            result.Add(new CompiledProgram(program, partition, generated, text, dumps, code, type, ordered,
                model?.Weights(ordered), model?.LoopSources, options));
        }
        return result;
    }

    private static IReadOnlyDictionary<string, Tensor> CheckWeights(IRProgram program, IReadOnlyDictionary<string, Tensor>? weights)
    {
        foreach (var w in program.Weights)
        {
            if (weights is null || !weights.TryGetValue(w.Name, out var t))
                throw new CompilationException($"program @{program.Name}: weight @{w.Name} : {w.Type} was not supplied");
            if (!CompiledProgram.Accepts(w.Type, t))
                throw new CompilationException($"program @{program.Name}: weight @{w.Name} must be {w.Type}, got {CompiledProgram.Describe(t)}");
        }
        return weights ?? new Dictionary<string, Tensor>();
    }

    private static string DescribeFusion(PartitionedProgram partition)
    {
        var sb = new StringBuilder();
        foreach (var d in partition.Distinct)
        {
            var emitter = new SegmentEmitter(d, "_");
            sb.Append($"{d.Name}: {emitter.Memory.Buffers.Count} buffer(s), {emitter.Memory.TotalBytes} bytes\n");
            foreach (var step in emitter.Steps)
                sb.Append("  ").Append(SegmentEmitter.StepLabel(step))
                    .Append(step is ElementwiseLoop { EpilogueOf: { } producer } ? $" (epilogue of {producer.Op})" : "").Append('\n');
        }
        return sb.ToString();
    }

    private static void Dump(string directory, string name, IEnumerable<PassDump> dumps)
    {
        Directory.CreateDirectory(directory);
        var index = 0;
        foreach (var d in dumps)
        {
            var extension = d.Pass switch { "partition-dot" => "dot", "csharp" => "cs", _ => "txt" };
            File.WriteAllText(Path.Combine(directory, $"{name}.{index++:00}.{d.Pass}.{extension}"), d.Text);
        }
    }
}
