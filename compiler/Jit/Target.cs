namespace DyCompile;

/// <summary>The code generation targets of <see cref="CompileOptions.Target"/>:
/// <c>new CompileOptions { Target = Target.Cuda }</c>.</summary>
public static class Target
{
    /// <summary>SIMD C# on the CPU (the default).</summary>
    public const string Cpu = "cpu";

    /// <summary>ILGPU kernels on the first CUDA device; tensors stay on the device.</summary>
    public const string Cuda = "cuda";

    /// <summary>ILGPU kernels on the first OpenCL device.</summary>
    public const string OpenCL = "opencl";

    /// <summary>The GPU backend's kernels on ILGPU's CPU accelerator, which emulates one thread per
    /// lane: for testing the GPU path on machines without a GPU, never a performance path.</summary>
    public const string IlgpuCpu = "ilgpu-cpu";
}
