using System.Text;
using DyCompile.Backends.Cpu;
using DyCompile.Backends.Gpu;
using DyCompile.Backends.Gpu.Offline;
using DyCompile.Backends.Host;
using DyCompile.IR;
using DyCompile.Passes.Pipeline;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Compiler.Jit;

/// <summary>Compiles IR programs in memory: the passes of <see cref="PassPipeline"/>, in its order,
/// ending in the CPU backend's C# (segment classes + host dispatcher) → Roslyn → a loaded
/// <see cref="CompiledProgram"/>. Several programs compiled together share one Roslyn compilation
/// (it dominates compile time).</summary>
public static class JitCompiler
{
    public static IReadOnlyList<string> SupportedTargets { get; } = [Target.Cpu, Target.Cuda, Target.OpenCL, Target.IlgpuCpu];

    /// <summary>The targets the build step generates C# for ahead of time (the GPU targets load
    /// their kernels through ILGPU at run time, so they compile in memory only).</summary>
    public static IReadOnlyList<string> AheadOfTimeTargets { get; } = [Target.Cpu];

    /// <param name="callbacks">The eager regions the program's <c>host.call</c>s name by number
    /// (<see cref="LoweringResult.Callbacks"/>); none is needed for a program without them.</param>
    public static CompiledProgram Compile(IRProgram program, IReadOnlyDictionary<string, Tensor>? weights = null, CompileOptions? options = null, HostCallbacks? callbacks = null) =>
        CompileBound([(program, weights, null, callbacks)], options)[0];

    public static IReadOnlyList<CompiledProgram> CompileMany(IReadOnlyList<(IRProgram Program, IReadOnlyDictionary<string, Tensor>? Weights)> programs, CompileOptions? options = null) =>
        CompileBound([.. programs.Select(p => (p.Program, p.Weights, (ModelBinding?)null, (HostCallbacks?)null))], options);

    /// <summary>As above, each program with the callback table its <c>host.call</c>s name.</summary>
    public static IReadOnlyList<CompiledProgram> CompileMany(IReadOnlyList<(IRProgram Program, IReadOnlyDictionary<string, Tensor>? Weights, HostCallbacks Callbacks)> programs, CompileOptions? options = null) =>
        CompileBound([.. programs.Select(p => (p.Program, p.Weights, (ModelBinding?)null, (HostCallbacks?)p.Callbacks))], options);

    /// <summary>Compiles a program lowered from a model instance: its weights follow the
    /// instance's parameters and its loops know their source lines.</summary>
    internal static CompiledProgram CompileModel(IRProgram program, IReadOnlyDictionary<string, Tensor> weights, ModelBinding model, CompileOptions? options, HostCallbacks callbacks) =>
        CompileBound([(program, weights, model, callbacks)], options)[0];

    private static IReadOnlyList<CompiledProgram> CompileBound(IReadOnlyList<(IRProgram Program, IReadOnlyDictionary<string, Tensor>? Weights, ModelBinding? Model, HostCallbacks? Callbacks)> programs, CompileOptions? options)
    {
        if (options?.LoopIterationLimit is < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.LoopIterationLimit, "CompileOptions.LoopIterationLimit is zero or more");
        options ??= new CompileOptions();
        if (!SupportedTargets.Contains(options.Target))
            throw new CompilationException($"unsupported target '{options.Target}'; supported targets: {string.Join(", ", SupportedTargets.Select(t => $"\"{t}\""))}");
        if (GpuTargetOf(options.Target) is { } gpu) return CompileGpu(programs, options, gpu);

        var prepared = new List<(IRProgram Program, IReadOnlyDictionary<string, Tensor> Weights, ModelBinding? Model, HostCallbacks Callbacks, PlannedProgram Planned, GeneratedProgram Generated, List<PassDump> Dumps)>();
        var source = new StringBuilder(ProgramGenerator.Usings);
        for (var i = 0; i < programs.Count; i++)
        {
            var (program, weights, model, given) = programs[i];
            var callbacks = given ?? HostCallbacks.None;
            var dumps = new List<PassDump> { new("input", IRPrinter.Print(program)) };
            var generator = new CSharpCodeGenerator($"DyCompile.Generated.P{i}_{CSharpSyntax.Identifier("", program.Name)}", options.ProfileSteps);
            var bound = CheckWeights(program, weights);
            CheckCallbacks(program, callbacks);
            PlannedProgram planned;
            GeneratedProgram generated;
            try
            {
                (planned, generated) = PassPipeline.Compile(program, options.Partition, generator, dumps);
            }
            catch (ProgramVerificationException e)
            {
                throw new CompilationException(e.Message);
            }
            source.Append(generated.Source).Append('\n');
            prepared.Add((program, bound, model, callbacks, planned, generated, dumps));
        }

        var text = source.ToString();
        var code = new GeneratedCode($"DyCompile.Generated.{string.Join("+", prepared.Select(p => p.Program.Name))}", context => RoslynBuild.Build(text, context));
        var result = new List<CompiledProgram>();
        foreach (var (program, weights, model, callbacks, planned, generated, dumps) in prepared)
        {
            var type = code.Assembly.GetType(generated.HostTypeName) ?? throw new CompilationException($"generated type {generated.HostTypeName} is missing");
            if (options.DumpDirectory is { } dir) Dump(dir, program.Name, dumps, planned.Partition);
            Tensor[] ordered = [.. program.Weights.Select(w => weights[w.Name])];
            result.Add(new CompiledProgram(program, planned, generated, text, dumps, code, () => (IHostProgram)Activator.CreateInstance(type)!, ordered,
                model?.Weights(ordered), model?.LoopSources, callbacks, options));
        }
        return result;
    }

    private static GpuTarget? GpuTargetOf(string target) => target switch
    {
        Target.Cuda => GpuTarget.Cuda,
        Target.OpenCL => GpuTarget.OpenCL,
        Target.IlgpuCpu => GpuTarget.IlgpuCpu,
        _ => null,
    };

    /// <summary>The GPU path: the same program-level and per-segment passes; per distinct segment a
    /// device plan (<see cref="GpuProgramPlan"/>) whose elementwise kernels are rendered C#, built
    /// with Roslyn in one compilation for all the programs and loaded by ILGPU on the device; the
    /// host side is a walker over the partitioned program's host blocks (<see cref="GpuHostProgram"/>).</summary>
    /// <exception cref="GpuDeviceNotFoundException">No device of the target's kind.</exception>
    /// <exception cref="GpuUnsupportedOpException">A segment op with no device implementation.</exception>
    private static IReadOnlyList<CompiledProgram> CompileGpu(IReadOnlyList<(IRProgram Program, IReadOnlyDictionary<string, Tensor>? Weights, ModelBinding? Model, HostCallbacks? Callbacks)> programs, CompileOptions options, GpuTarget target)
    {
        var device = GpuDevice.Open(target);
        var prepared = new List<(IRProgram Program, IReadOnlyDictionary<string, Tensor> Weights, ModelBinding? Model, HostCallbacks Callbacks, PlannedProgram Planned, GpuProgramPlan Plan, List<PassDump> Dumps)>();
        foreach (var (program, weights, model, given) in programs)
        {
            var callbacks = given ?? HostCallbacks.None;
            var dumps = new List<PassDump> { new("input", IRPrinter.Print(program)) };
            var bound = CheckWeights(program, weights);
            CheckCallbacks(program, callbacks);
            PlannedProgram planned;
            try
            {
                // Every device op kernel writes into the tensor it is given.
                planned = PassPipeline.Plan(PassPipeline.Partition(program, options.Partition, dumps), _ => true, dumps);
            }
            catch (ProgramVerificationException e)
            {
                throw new CompilationException(e.Message);
            }
            var plan = GpuProgramPlan.Create(planned, block => model?.LoopSources.GetValueOrDefault(block));
            dumps.Add(new PassDump("gpu-plan", plan.Describe()));
            prepared.Add((program, bound, model, callbacks, planned, plan, dumps));
        }
        var text = GpuProgramPlan.KernelSource(prepared.Select(p => p.Plan));
        var code = new GeneratedCode($"DyCompile.Generated.Gpu.{string.Join("+", prepared.Select(p => p.Program.Name))}", context => RoslynBuild.BuildKernels(text, context));
        var result = new List<CompiledProgram>();
        foreach (var (program, weights, model, callbacks, planned, plan, dumps) in prepared)
        {
            var gpu = new GpuProgram(plan, device, code.Assembly);
            var own = GpuProgramPlan.KernelSource([plan]);
            dumps.Add(new PassDump("csharp", own, "cs"));
            if (options.DumpDirectory is { } dir)
            {
                Dump(dir, program.Name, dumps, planned.Partition);
                GpuKernelDump.Write(dir, program.Name, plan, gpu);
            }
            var generated = new GeneratedProgram(GpuProgramPlan.KernelNamespace, nameof(GpuHostProgram), own);
            Tensor[] ordered = [.. program.Weights.Select(w => weights[w.Name])];
            result.Add(new CompiledProgram(program, planned, generated, text, dumps, code, gpu.CreateState, ordered,
                model?.Weights(ordered), model?.LoopSources, callbacks, options));
        }
        return result;
    }

    /// <summary>Every <c>host.call</c> names, by a constant of its block, a callback of the table.</summary>
    private static void CheckCallbacks(IRProgram program, HostCallbacks callbacks)
    {
        foreach (var block in program.Blocks)
            foreach (var call in block.Nodes.Where(n => n.Op == "host.call"))
            {
                var callee = block.Nodes.FirstOrDefault(n => n.Op == "const" && n.Results.Contains(call.Operands[0]))?.Payload?.Values[0];
                if (callee is not { } index || index < 0 || index >= callbacks.Count)
                    throw new CompilationException($"program @{program.Name}: ^{block.Name} calls host callback {(callee is null ? call.Operands[0].Ref : ((int)callee.Value).ToString(System.Globalization.CultureInfo.InvariantCulture))}, but the callback table given has {callbacks.Count}; pass the table the frontend made with the program (LoweringResult.Callbacks)");
            }
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

    /// <summary>One numbered file per dump (<c>name.03.partition.txt</c>), and the host control flow
    /// of the final partition as a Graphviz picture beside them (<c>name.partition.dot</c>).</summary>
    private static void Dump(string directory, string name, IReadOnlyList<PassDump> dumps, PartitionedProgram partition)
    {
        Directory.CreateDirectory(directory);
        for (var index = 0; index < dumps.Count; index++)
            File.WriteAllText(Path.Combine(directory, $"{name}.{index:00}.{dumps[index].Pass}.{dumps[index].Extension}"), dumps[index].Text);
        File.WriteAllText(Path.Combine(directory, $"{name}.partition.dot"), partition.ToDot());
    }
}
