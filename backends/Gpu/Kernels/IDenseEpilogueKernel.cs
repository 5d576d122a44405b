using DyCompile.IR;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>What a dense op's store may do after the bias: add a residual of the result's shape
/// (read at the element's own index), then relu. <see cref="None"/> stores the product (+ bias).</summary>
public readonly record struct DenseEpilogue(DeviceTensor? Residual, bool Relu)
{
    public static DenseEpilogue None => default;

    public bool IsNone => Residual is null && !Relu;
}

/// <summary>A dense op kernel that can fold a <see cref="DenseEpilogue"/> into its store.</summary>
public interface IDenseEpilogueKernel
{
    /// <summary>As <see cref="GpuOpKernel.Launch"/>, with <paramref name="epilogue"/> applied to every
    /// element before it is stored into <paramref name="results"/>[0]. The residual may be the
    /// result's own storage (each element is read before it is written), never an operand's.</summary>
    void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results, DenseEpilogue epilogue);
}
