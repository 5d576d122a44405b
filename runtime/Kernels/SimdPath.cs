namespace DyCompile.Runtime;

/// <summary>The instruction-set path a dense kernel (GEMM, convolution) runs: each kernel has a
/// register tile per path, chosen at run time from what the machine supports (see
/// <see cref="KernelIsa"/>).</summary>
public enum SimdPath
{
    /// <summary>Portable vector code (<c>Vector&lt;T&gt;</c> / <c>Vector256</c> arithmetic without FMA): any machine.</summary>
    Portable,

    /// <summary>256-bit AVX2 + FMA tiles in ymm registers.</summary>
    Avx2,

    /// <summary>512-bit AVX-512F tiles in zmm registers (where a kernel has one; others run their AVX2 tile).</summary>
    Avx512,
}
