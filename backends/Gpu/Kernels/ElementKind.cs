using DyCompile.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>How a kernel reads or writes an element of a given dtype, passed as a plain int
/// (uniform across the launch, so the branch on it never diverges).</summary>
internal static class ElementKind
{
    public const int Float32 = 0, Int32 = 1, Int64 = 2, Bool = 3;

    public static int Of(DType dtype) => dtype switch
    {
        DType.Float32 => Float32,
        DType.Int32 => Int32,
        DType.Int64 => Int64,
        _ => Bool,
    };
}
