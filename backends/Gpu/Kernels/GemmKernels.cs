using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>The tiled GEMM's entry points, one per problem shape.</summary>
public static class GemmKernels
{
    [DeviceKernel(typeof(MatrixProblem), ExplicitlyGrouped = true)]
    [DeviceKernel(typeof(ConvolutionProblem), ExplicitlyGrouped = true)]
    internal static void Gemm<TProblem>(TProblem problem) where TProblem : struct, IGemmProblem => TiledGemm.Run(problem);

    public static Action<AcceleratorStream, KernelConfig, TProblem> Load<TProblem>(Accelerator accelerator)
        where TProblem : struct, IGemmProblem
    {
        KernelGroups.RequireGemmGroups(accelerator);
        return accelerator.LoadKernel<TProblem>(Gemm);
    }
}
