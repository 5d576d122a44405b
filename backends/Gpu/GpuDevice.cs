using System.Collections.Concurrent;
using DyCompile.Backends.Gpu.Kernels;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DyCompile.Backends.Gpu;

/// <summary>One ILGPU accelerator of a <see cref="GpuTarget"/>, opened once per process and shared by
/// every program compiled for that target (opening a context costs more than compiling a small
/// program). The context has ILGPU.Algorithms enabled, so kernels may call <c>XMath</c>.
/// Kernel launches and copies of all programs on one device are serialised by <see cref="Gate"/>:
/// ILGPU's accelerators do not promise that concurrent launches from several threads are safe.</summary>
public sealed class GpuDevice
{
    private static readonly ConcurrentDictionary<GpuTarget, Lazy<GpuDevice>> _open = new();

    private GpuDevice(GpuTarget target, Context context, Accelerator accelerator)
    {
        Target = target;
        Context = context;
        Accelerator = accelerator;
        Fill = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float>(BuiltinKernels.Fill);
        Library = new GpuKernelLibrary(accelerator);
    }

    /// <summary>The op kernels of this device, each loaded (compiled by ILGPU) once per process and
    /// shared by the programs compiled for it.</summary>
    public GpuKernelLibrary Library { get; }

    public GpuTarget Target { get; }

    public Context Context { get; }

    public Accelerator Accelerator { get; }

    /// <summary>Held around every run of a program on this device.</summary>
    public object Gate { get; } = new();

    /// <summary>Writes one float into every element of a view (<c>tensor.from_scalar</c>).</summary>
    internal Action<AcceleratorStream, Index1D, ArrayView<float>, float> Fill { get; }

    /// <summary>The device of <paramref name="target"/>: the first of its kind ILGPU finds.</summary>
    /// <exception cref="GpuDeviceNotFoundException">This machine has no device of that kind; the
    /// message names the target and every device ILGPU found.</exception>
    public static GpuDevice Open(GpuTarget target)
    {
        var lazy = _open.GetOrAdd(target, t => new Lazy<GpuDevice>(() => Create(t)));
        try
        {
            return lazy.Value;
        }
        catch (Exception)
        {
            // A failure is not cached: a device may appear later (a driver installed, a container restarted).
            _open.TryRemove(new KeyValuePair<GpuTarget, Lazy<GpuDevice>>(target, lazy));
            throw;
        }
    }

    private static GpuDevice Create(GpuTarget target)
    {
        var context = Context.Create(builder =>
        {
            switch (target)
            {
                case GpuTarget.Cuda: builder.Cuda(); break;
                case GpuTarget.OpenCL: builder.OpenCL(); break;
                default:
                    // The GEMM and convolution tiles need groups of 256 threads, and the row
                    // kernels' warp shuffles a CUDA-sized warp.
                    builder.CPU(KernelGroups.CpuDevice());
                    break;
            }
            builder.EnableAlgorithms();
        });
        var kind = target switch
        {
            GpuTarget.Cuda => AcceleratorType.Cuda,
            GpuTarget.OpenCL => AcceleratorType.OpenCL,
            _ => AcceleratorType.CPU,
        };
        var device = context.Devices.FirstOrDefault(d => d.AcceleratorType == kind);
        if (device is null)
        {
            context.Dispose();
            throw new GpuDeviceNotFoundException(target, FoundDevices());
        }
        return new GpuDevice(target, context, device.CreateAccelerator(context));
    }

    /// <summary>Every device ILGPU can see on this machine, as "kind: name".</summary>
    public static IReadOnlyList<string> FoundDevices()
    {
        try
        {
            using var all = Context.Create(builder => builder.AllAccelerators());
            return [.. all.Devices.Select(d => $"{d.AcceleratorType}: {d.Name}")];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [$"(devices could not be listed: {e.Message})"];
        }
    }
}
