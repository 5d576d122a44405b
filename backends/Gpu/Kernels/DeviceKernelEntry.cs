using System.Reflection;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>One device entry point of the library, closed over its type arguments, and whether
/// ILGPU's OpenCL backend can emit it.</summary>
public sealed record DeviceKernelEntry(MethodInfo Method, bool ExplicitlyGrouped, bool OpenCL);
