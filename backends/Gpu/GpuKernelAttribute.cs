namespace DyCompile.Backends.Gpu;

/// <summary>Marks a <see cref="GpuOpKernel"/> as the device implementation of the named catalog
/// ops (one class may serve ops that share their kernels, such as the layout copies).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class GpuKernelAttribute(string op, params string[] moreOps) : Attribute
{
    public IReadOnlyList<string> Ops { get; } = [op, .. moreOps];

    /// <summary>Classes whose device entry points the kernel launches besides its own (a shared
    /// copy or GEMM), so the offline emitter writes every kernel a segment runs.</summary>
    public Type[] Uses { get; init; } = [];
}
