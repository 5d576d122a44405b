using System.Reflection;
using DyCompile.Backends.Host;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Compiler.Jit;

/// <summary>Builds generated C# in memory with Roslyn against the framework and the runtime alone
/// (the compiled-model ABI, <see cref="IHostProgram"/> and the rest of <c>DyCompile.Runtime.Compiled</c>,
/// lives there), and loads the result.</summary>
internal static class RoslynBuild
{
    private static readonly Lazy<MetadataReference[]> _references = new(() =>
        [.. MetadataReferences.ForGeneratedCode(typeof(object).Assembly, typeof(Tensor).Assembly)]);

    /// <summary>For GPU kernels: ILGPU, ILGPU.Algorithms (XMath) and the GPU backend (the kernel base class and helpers).</summary>
    private static readonly Lazy<MetadataReference[]> _kernelReferences = new(() =>
        [.. MetadataReferences.ForGeneratedCode(typeof(object).Assembly, typeof(Tensor).Assembly, typeof(ILGPU.Index1D).Assembly,
            typeof(ILGPU.Algorithms.XMath).Assembly, typeof(DyCompile.Backends.Gpu.ElementwiseKernel).Assembly, typeof(DyCompile.IR.Node).Assembly)]);

    private static int _counter;

    /// <summary>Builds <paramref name="source"/> and loads it into <paramref name="context"/>.</summary>
    public static Assembly Build(string source, System.Runtime.Loader.AssemblyLoadContext context) => Build(source, context, _references.Value);

    /// <summary>Builds the GPU backend's kernel classes and loads them into <paramref name="context"/>.</summary>
    public static Assembly BuildKernels(string source, System.Runtime.Loader.AssemblyLoadContext context) => Build(source, context, _kernelReferences.Value);

    private static Assembly Build(string source, System.Runtime.Loader.AssemblyLoadContext context, MetadataReference[] references)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create(
            $"DyCompile.Generated{Interlocked.Increment(ref _counter)}",
            [tree],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
        {
            var errors = emitted.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Take(20).Select(d => d.ToString());
            throw new CompilationException("the generated C# does not build (a code generator bug):\n" + string.Join("\n", errors));
        }
        image.Position = 0;
        return context.LoadFromStream(image);
    }
}
