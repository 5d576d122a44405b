using DyCompile.IR;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>The device implementation of catalog ops that are not elementwise formulas. A
/// subclass is marked <see cref="GpuKernelAttribute"/> and has a public constructor taking the
/// <see cref="ILGPU.Runtime.Accelerator"/>, which loads (compiles) its ILGPU kernels once.</summary>
public abstract class GpuOpKernel(Accelerator accelerator)
{
    public Accelerator Accelerator { get; } = accelerator;

    /// <summary>Enqueues the node's work on <paramref name="stream"/>: no synchronisation, no host
    /// copy. <paramref name="results"/> are preallocated with the node's run-time result shapes;
    /// they never overlap the operands.</summary>
    public abstract void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results);
}
