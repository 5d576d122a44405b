using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>How a convolution kernel computes a·b + c on 8 floats. The kernels are generic over
/// this (a struct type argument), so the JIT compiles one specialized body per flavour with the
/// choice folded away: the FMA instruction where the machine has it, separate multiply and add
/// through the portable vector API everywhere else.</summary>
internal interface IVectorFma
{
    static abstract Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c);
}

/// <summary>One rounding, AVX2 + FMA (callers check <see cref="ConvKernelFlavour.HardwareAvailable"/>).</summary>
internal readonly struct HardwareFma : IVectorFma
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);
}

/// <summary>Multiply then add with the portable vector API: runs on any machine (emulated where
/// 256-bit vectors are not accelerated).</summary>
internal readonly struct PortableFma : IVectorFma
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => a * b + c;
}

/// <summary>Which kernel flavour a convolution runs.</summary>
internal static class ConvKernelFlavour
{
    public static bool HardwareAvailable => Fma.IsSupported && Avx2.IsSupported;
}
