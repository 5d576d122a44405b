using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using DyCompile.Backends.Gpu.Kernels;

namespace DyCompile.DeviceCheck;

/// <summary>The accelerator the check runs on: the first CUDA device, or, when there is none,
/// ILGPU's CPU accelerator for the parts that can run there (correctness only).</summary>
internal sealed class Devices : IDisposable
{
    private Devices(Context context, Accelerator accelerator, string target, string found)
    {
        Context = context;
        Accelerator = accelerator;
        Target = target;
        Found = found;
    }

    public Context Context { get; }

    public Accelerator Accelerator { get; }

    /// <summary>The compile target: "cuda", or "ilgpu-cpu" without a CUDA device.</summary>
    public string Target { get; }

    public bool IsCuda => Accelerator is CudaAccelerator;

    /// <summary>Every device ILGPU found, in words.</summary>
    public string Found { get; }

    public static Devices Open()
    {
        var context = Context.Create(builder => builder.Cuda().CPU(KernelGroups.CpuDevice()).EnableAlgorithms());
        var found = string.Join("; ", context.Devices.Select(d => $"{d.AcceleratorType} {d.Name}"));
        var cuda = context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda);
        if (cuda is not null) return new Devices(context, cuda.CreateAccelerator(context), "cuda", found);
        var cpu = context.GetCPUDevice(0);
        return new Devices(context, cpu.CreateAccelerator(context), "ilgpu-cpu", found);
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}
