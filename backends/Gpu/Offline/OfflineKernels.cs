using System.Reflection;
using DyCompile.Backends.Gpu.Kernels;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DyCompile.Backends.Gpu.Offline;

/// <summary>PTX and OpenCL C for an ILGPU kernel method, produced without a GPU: ILGPU's own
/// backends run on a context that has no accelerator. The PTX targets sm_80 with PTX ISA 8.0,
/// which every CUDA 12 driver loads and JIT-compiles for newer devices (Hopper included); the
/// OpenCL C is version 2.0 with sub-groups (the warp shuffles of the row kernels need them).</summary>
public static class OfflineKernels
{
    public static CudaArchitecture Architecture => CudaArchitecture.SM_80;

    public static CudaInstructionSet InstructionSet => CudaInstructionSet.ISA_80;

    private static readonly Lazy<Compilers> _compilers = new(() => new Compilers());
    private static readonly Lock _lock = new();

    /// <summary>The PTX module of <paramref name="kernel"/> (a static method; generic methods
    /// closed over their type arguments). <paramref name="explicitlyGrouped"/>: the kernel takes no
    /// index parameter and reads Grid/Group indices itself.</summary>
    public static string Ptx(MethodInfo kernel, bool explicitlyGrouped = false)
    {
        var entry = Entry(kernel, explicitlyGrouped);
        lock (_lock)
        {
            var compiled = (PTXCompiledKernel)_compilers.Value.Ptx.Compile(entry, KernelSpecialization.Empty);
            return compiled.PTXAssembly;
        }
    }

    /// <summary>The OpenCL C source of <paramref name="kernel"/>.</summary>
    public static string OpenCL(MethodInfo kernel, bool explicitlyGrouped = false)
    {
        var entry = Entry(kernel, explicitlyGrouped);
        lock (_lock)
        {
            var compiled = (CLCompiledKernel)_compilers.Value.OpenCL.Compile(entry, KernelSpecialization.Empty);
            return compiled.Source;
        }
    }

    /// <summary>Writes <c>Name.ptx</c> and (where the OpenCL backend emits it) <c>Name.cl</c> for every kernel of the op-kernel library
    /// into <paramref name="directory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> WriteLibrary(string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var kernel in GpuKernelLibrary.DeviceKernels())
        {
            var name = FileName(kernel.Method);
            var ptx = Path.Combine(directory, name + ".ptx");
            File.WriteAllText(ptx, Ptx(kernel.Method, kernel.ExplicitlyGrouped));
            written.Add(ptx);
            if (!kernel.OpenCL) continue;
            var cl = Path.Combine(directory, name + ".cl");
            File.WriteAllText(cl, OpenCL(kernel.Method, kernel.ExplicitlyGrouped));
            written.Add(cl);
        }
        return written;
    }

    /// <summary>Type.Method, with generic arguments after an underscore.</summary>
    public static string FileName(MethodInfo method) =>
        $"{method.DeclaringType!.Name}.{method.Name}" + (method.IsGenericMethod ? "_" + string.Join("_", method.GetGenericArguments().Select(t => t.Name)) : "");

    private static EntryPointDescription Entry(MethodInfo kernel, bool explicitlyGrouped)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (!kernel.IsStatic) throw new ArgumentException($"kernel {kernel.Name} must be a static method", nameof(kernel));
        if (kernel.ContainsGenericParameters) throw new ArgumentException($"kernel {kernel.Name} is generic: close it over its type arguments (MakeGenericMethod)", nameof(kernel));
        return explicitlyGrouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel)
            : EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
    }

    private sealed class Compilers
    {
        public Compilers()
        {
            Context = Context.Create(builder => builder.EnableAlgorithms().Optimize(OptimizationLevel.O1));
            Ptx = new PTXBackend(Context, new CudaCapabilityContext(Architecture), Architecture, InstructionSet, nvvmAPI: null);
            OpenCL = new CLBackend(Context, new CLCapabilityContext(true, true, true, true, true), CLDeviceVendor.Other, CLCVersion.CL20);
        }

        public Context Context { get; }

        public PTXBackend Ptx { get; }

        public CLBackend OpenCL { get; }
    }
}
