using DyCompile.Compiler;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using Microsoft.CodeAnalysis;
using Diagnostic = DyCompile.Compiler.Diagnostic;

namespace DyCompile;

/// <summary>Settings of <see cref="DyCompiler.Compile(object, string, IReadOnlyList{IRType?}, DyCompilerOptions?)"/>.</summary>
public sealed record DyCompilerOptions
{
    /// <summary>The model method to compile.</summary>
    public string Method { get; init; } = "Forward";

    /// <summary>Frontend settings; its <see cref="LoweringOptions.InputTypes"/> is replaced by the input types given to Compile.</summary>
    public LoweringOptions Lowering { get; init; } = new();

    public CompileOptions Jit { get; init; } = new();
}

/// <summary>What compiling a model produced: the compiled program (null when lowering reported an
/// error) and the frontend's result with every diagnostic.</summary>
public sealed record DyCompilation(CompiledProgram? Program, LoweringResult Lowering)
{
    public bool Succeeded => Program is not null;

    public IReadOnlyList<Diagnostic> Diagnostics => Lowering.Diagnostics;
}

/// <summary>The whole pipeline for a model: the frontend lowers the model's forward method from
/// its C# source to IR (reading weights from the instance), then the JIT partitions, generates
/// and loads code for it.
/// <code>
/// // A delegate with the model's forward signature (the source is found through the PDB):
/// var forward = DyCompiler.Compile&lt;Func&lt;Tensor, float, (Tensor, int)&gt;&gt;(model, ModelLowering.TypesOf([x, 0.5f]));
/// var (logits, exit) = forward(x, 0.5f);
/// // Or with the source given, keeping the diagnostics and the compiled program:
/// var compiled = DyCompiler.Compile(model, source, ModelLowering.TypesOf([x, 0.5f]));
/// var y = compiled.Program!.Run([x, 0.5f]).Outputs[0];
/// </code></summary>
public static class DyCompiler
{
    /// <summary>Compiles <paramref name="model"/> from its own source, read through its assembly's
    /// PDB (<see cref="ModelSource"/>); when that fails the result carries a DYC0006 diagnostic.</summary>
    public static DyCompilation Compile(object model, IReadOnlyList<IRType?> inputTypes, DyCompilerOptions? options = null)
    {
        var (compilation, problem) = ModelSource.Load(model.GetType());
        return compilation is null
            ? new DyCompilation(null, new LoweringResult(null, new Dictionary<string, Runtime.Tensor>(), [problem!]))
            : Compile(model, compilation, inputTypes, options);
    }

    /// <summary>Compiles <paramref name="model"/> from its own source (as above) into a delegate
    /// with its forward method's signature (<see cref="CompiledForward.AsDelegate{TDelegate}"/>).</summary>
    /// <exception cref="DyCompileException">The model did not compile; carries the diagnostics.</exception>
    public static TDelegate Compile<TDelegate>(object model, IReadOnlyList<IRType?> inputTypes, DyCompilerOptions? options = null) where TDelegate : Delegate
    {
        var compilation = Compile(model, inputTypes, options);
        return compilation.Program?.AsDelegate<TDelegate>() ?? throw new DyCompileException(compilation.Diagnostics);
    }

    /// <param name="model">The model instance (its type is looked up in the source by full name).</param>
    /// <param name="source">C# source that declares the model's type.</param>
    /// <param name="inputTypes">IR type of each method parameter (see <see cref="LoweringOptions.InputTypes"/>).</param>
    public static DyCompilation Compile(object model, string source, IReadOnlyList<IRType?> inputTypes, DyCompilerOptions? options = null)
    {
        options ??= new DyCompilerOptions();
        var lowering = options.Lowering with { InputTypes = inputTypes };
        return Finish(model, ModelLowering.Lower(source, TypeName(model), options.Method, model, lowering), options,
            blocks => LoopSources.Find(source, lowering.FileName, TypeName(model), options.Method, blocks));
    }

    /// <summary>As above, with the model's source already in a Roslyn compilation.</summary>
    public static DyCompilation Compile(object model, Compilation compilation, IReadOnlyList<IRType?> inputTypes, DyCompilerOptions? options = null)
    {
        options ??= new DyCompilerOptions();
        var lowering = options.Lowering with { InputTypes = inputTypes };
        return Finish(model, ModelLowering.Lower(compilation, TypeName(model), options.Method, model, lowering), options,
            blocks => LoopSources.Find(compilation, TypeName(model), options.Method, blocks));
    }

    private static string TypeName(object model) => model.GetType().FullName ?? model.GetType().Name;

    /// <summary>Compiles what the frontend lowered, bound to <paramref name="model"/>: the compiled
    /// program follows the instance's parameters and its loops know their source lines.</summary>
    private static DyCompilation Finish(object model, LoweringResult lowered, DyCompilerOptions options, Func<IEnumerable<string>, IReadOnlyDictionary<string, string>> loopSources)
    {
        if (!lowered.Succeeded) return new DyCompilation(null, lowered);
        var program = lowered.Program!;
        // The GPU backend names the source line of an op it cannot run, so it needs every block's line.
        var sources = HasLoop(program) || options.Jit.Target != Target.Cpu ? loopSources(program.Blocks.Select(b => b.Name)) : new Dictionary<string, string>();
        try
        {
            return new DyCompilation(JitCompiler.CompileModel(program, lowered.Weights, new ModelBinding(model, sources), options.Jit, lowered.Callbacks), lowered);
        }
        catch (Backends.Gpu.GpuUnsupportedOpException e)
        {
            var (file, line) = ParseLocation(e.SourceLocation, options.Lowering.FileName);
            var diagnostic = new Diagnostic(DiagnosticIds.GpuUnsupportedOp, Compiler.DiagnosticSeverity.Error, file, line, 1,
                $"op '{e.Op}' cannot run on target '{options.Jit.Target}': it has no formula and no GPU kernel ('{e.Node}')");
            return new DyCompilation(null, lowered with { Diagnostics = [.. lowered.Diagnostics, diagnostic] });
        }
    }

    /// <summary>A <c>file(line)</c> location, or the model's file at line 1 when there is none.</summary>
    private static (string File, int Line) ParseLocation(string? location, string fallbackFile)
    {
        if (location is not null && location.EndsWith(')') && location.LastIndexOf('(') is var open and > 0
            && int.TryParse(location[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture, out var line))
            return (location[..open], line);
        return (fallbackFile, 1);
    }

    /// <summary>Whether some block jumps back to itself or an earlier block (the frontend creates a
    /// loop head before its body), so there are loop lines worth looking up.</summary>
    private static bool HasLoop(IRProgram program)
    {
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < program.Blocks.Length; i++) position[program.Blocks[i].Name] = i;
        return program.Blocks.Select((b, i) => (b, i)).Any(p => p.b.Successors.Any(s => position.TryGetValue(s.Block, out var j) && j <= p.i));
    }
}
