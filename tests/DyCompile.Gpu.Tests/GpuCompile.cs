using DyCompile.Backends.Gpu;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests;

/// <summary>Compiling for ILGPU's CPU accelerator, and what the backend cannot run yet.</summary>
internal static class GpuCompile
{
    public static readonly CompileOptions Options = new() { Target = Target.IlgpuCpu };

    public static CompiledProgram Compile(IRProgram program, IReadOnlyDictionary<string, Tensor>? weights, CompileOptions? options = null) =>
        JitCompiler.Compile(program, weights, options ?? Options);

    /// <summary>The ops of <paramref name="program"/>'s blocks that have no device implementation on
    /// this build (no formula, not a view or host op, no <see cref="GpuOpKernel"/>).</summary>
    public static IReadOnlyList<string> MissingOps(IRProgram program) =>
        [.. program.Blocks.SelectMany(b => b.Instructions.OfType<Node>())
            .Where(n => n.Def is { Kind: OpKind.Tensor } && n.Op != "item" && !GpuSegmentPlan.ViewOps.Contains(n.Op)
                && !GpuSegmentPlan.IsRenderedElementwise(n) && !Backends.Gpu.Kernels.GpuKernelLibrary.Implements(n.Op))
            .Select(n => n.Op).Distinct().Order(StringComparer.Ordinal)];
}
