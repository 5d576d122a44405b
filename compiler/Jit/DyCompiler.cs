using DyCompile.Compiler.Jit;
using DyCompile.IR;
using Microsoft.CodeAnalysis;

namespace DyCompile.Compiler;

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
/// var compiled = DyCompiler.Compile(model, source, ModelLowering.TypesOf([x, 0.5f]));
/// var y = compiled.Program!.Run([x, 0.5f]).Outputs[0];
/// </code></summary>
public static class DyCompiler
{
    /// <param name="model">The model instance (its type is looked up in the source by full name).</param>
    /// <param name="source">C# source that declares the model's type.</param>
    /// <param name="inputTypes">IR type of each method parameter (see <see cref="LoweringOptions.InputTypes"/>).</param>
    public static DyCompilation Compile(object model, string source, IReadOnlyList<IRType?> inputTypes, DyCompilerOptions? options = null)
    {
        options ??= new DyCompilerOptions();
        var lowering = options.Lowering with { InputTypes = inputTypes };
        return Finish(ModelLowering.Lower(source, TypeName(model), options.Method, model, lowering), options);
    }

    /// <summary>As above, with the model's source already in a Roslyn compilation.</summary>
    public static DyCompilation Compile(object model, Compilation compilation, IReadOnlyList<IRType?> inputTypes, DyCompilerOptions? options = null)
    {
        options ??= new DyCompilerOptions();
        var lowering = options.Lowering with { InputTypes = inputTypes };
        return Finish(ModelLowering.Lower(compilation, TypeName(model), options.Method, model, lowering), options);
    }

    private static string TypeName(object model) => model.GetType().FullName ?? model.GetType().Name;

    private static DyCompilation Finish(LoweringResult lowered, DyCompilerOptions options) =>
        lowered.Succeeded
            ? new DyCompilation(JitCompiler.Compile(lowered.Program!, lowered.Weights, options.Jit), lowered)
            : new DyCompilation(null, lowered);
}
