namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>Marks a device entry point of the op-kernel library, so the offline emitter finds
/// every kernel: <see cref="ExplicitlyGrouped"/> kernels take no index parameter and launch with a
/// <c>KernelConfig</c>; a generic kernel is emitted for the given type arguments.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class DeviceKernelAttribute(params Type[] typeArguments) : Attribute
{
    public IReadOnlyList<Type> TypeArguments { get; } = typeArguments;

    public bool ExplicitlyGrouped { get; init; }

    /// <summary>False for a form ILGPU's OpenCL backend cannot emit (warp shuffles off Intel);
    /// such a kernel is loaded only where <see cref="GroupReduce.UsesWarpShuffles"/> holds.</summary>
    public bool OpenCL { get; init; } = true;
}
