using ILGPU;

namespace DyCompile.Backends.Gpu;

/// <summary>Kernels the backend needs whatever the program: compiled once per device.</summary>
internal static class BuiltinKernels
{
    public static void Fill(Index1D index, ArrayView<float> target, float value) => target[index] = value;
}
