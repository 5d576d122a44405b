namespace DyCompile.Backends.Gpu;

/// <summary>A program was compiled for a GPU target (<c>cuda</c>, <c>opencl</c>) on a machine
/// with no device of that kind. <see cref="Found"/> lists the devices ILGPU did find (ILGPU's CPU
/// accelerator is always among them: <c>Target.IlgpuCpu</c> runs the same kernels without a GPU).</summary>
public sealed class GpuDeviceNotFoundException(GpuTarget target, IReadOnlyList<string> found)
    : Exception($"no {Describe(target)} device on this machine; devices found: {(found.Count == 0 ? "none" : string.Join(", ", found))}")
{
    public GpuTarget Target { get; } = target;

    public IReadOnlyList<string> Found { get; } = found;

    private static string Describe(GpuTarget target) => target switch
    {
        GpuTarget.Cuda => "CUDA (target \"cuda\")",
        GpuTarget.OpenCL => "OpenCL (target \"opencl\")",
        _ => "ILGPU CPU (target \"ilgpu-cpu\")",
    };
}
