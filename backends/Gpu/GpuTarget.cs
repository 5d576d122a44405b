namespace DyCompile.Backends.Gpu;

/// <summary>The ILGPU accelerator a program's kernels run on.</summary>
public enum GpuTarget
{
    /// <summary>CUDA devices (PTX kernels).</summary>
    Cuda,
    /// <summary>OpenCL 2.0 devices (OpenCL C kernels).</summary>
    OpenCL,
    /// <summary>ILGPU's CPU accelerator, which emulates one thread per lane: for tests on machines
    /// without a GPU, never a performance path.</summary>
    IlgpuCpu,
}
