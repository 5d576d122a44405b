using System.Runtime.Intrinsics;

namespace DyCompile.Runtime.Compiled;

/// <summary>Which vector path the fused loops of generated code take. Every loop has a Vector512
/// path, a Vector256 path and a scalar tail; the Vector512 one runs where the hardware accelerates
/// it unless <see cref="Allow512"/> is turned off, which makes an AVX-512 machine run (and test,
/// and measure) the AVX2 path.</summary>
public static class VectorWidth
{
    /// <summary>Whether loops may take their Vector512 path (default on).</summary>
    public static bool Allow512 { get; set; } = true;

    /// <summary>Whether loops take their Vector512 path now.</summary>
    public static bool Use512 => Vector512.IsHardwareAccelerated && Allow512;
}
