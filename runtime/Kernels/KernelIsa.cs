using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>Which instruction-set path the dense kernels take on this machine: the widest the
/// hardware has, unless the environment variable <c>DYCOMPILE_CPU_ISA</c> (<c>avx2</c> or
/// <c>portable</c>) caps it for the whole process, or <see cref="Force"/> caps it for the calling
/// thread (how tests run every path on one machine). A kernel reads the path once on the thread
/// that calls it and hands it to the workers it splits its own work over, including the products
/// of a batch it runs whole on worker threads (one per core).</summary>
public static class KernelIsa
{
    /// <summary>The environment variable that caps the path for the process.</summary>
    public const string EnvironmentVariable = "DYCOMPILE_CPU_ISA";

    [ThreadStatic] private static SimdPath? _forced;

    /// <summary>The widest path the hardware runs.</summary>
    public static SimdPath Hardware { get; } =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported ? SimdPath.Avx512
        : Fma.IsSupported && Avx2.IsSupported ? SimdPath.Avx2
        : SimdPath.Portable;

    /// <summary>The process-wide path: <see cref="Hardware"/>, capped by <c>DYCOMPILE_CPU_ISA</c>.</summary>
    public static SimdPath Process { get; } = Cap(Hardware, ParseCap(Environment.GetEnvironmentVariable(EnvironmentVariable)));

    /// <summary>The path a kernel called on this thread now takes.</summary>
    public static SimdPath Current => _forced is { } forced ? Cap(Process, forced) : Process;

    /// <summary>Caps the path of kernels called on this thread to <paramref name="path"/> (never
    /// above what the machine runs) until the returned scope is disposed.</summary>
    public static IDisposable Force(SimdPath path)
    {
        var scope = new Scope(_forced);
        _forced = path;
        return scope;
    }

    /// <summary>One line for benchmark reports: the instruction sets the runtime sees and the path
    /// each dense kernel takes with <see cref="Current"/>.</summary>
    public static string Describe()
    {
        var path = Current;
        var gemm = path switch
        {
            SimdPath.Avx512 => $"{Gemm.MR512}×{2 * Gemm.NR} zmm ({Gemm.MR512}×{Gemm.NR} on a last single panel, 4×{2 * Gemm.NR} on rows left under {Gemm.MR512})",
            SimdPath.Avx2 => $"{Gemm.MR}×{Gemm.NR} ymm",
            _ => $"{Gemm.MR}×{Gemm.NR} portable",
        };
        var conv = path switch
        {
            SimdPath.Avx512 => "pointwise 6×32 zmm (6×16 ymm tails), channel-vector 32 channels × 8 pixels zmm (× 7 on rows of 14 and 28; 16 × 16 on a last single block; stride 1 or 2, rows ≥ 8 or planes ≤ 64 pixels), direct 4×64 zmm (4×24 ymm on rows of ≤ 8), depthwise 3×3 stride 1 or 2 on row tiles of 4 rows × 2 zmm vectors (8 × 1 on rows of ≤ 16), other depthwise 8 × 16-pixel zmm on rows wider than 8 (8 × 8-pixel ymm otherwise)",
            SimdPath.Avx2 => "pointwise 6×16 ymm, direct 4×24 ymm, channel-vector 16 channels × 6 + 6 + 4 pixels ymm (stride 2 or planes ≤ 16 pixels, one or two images), depthwise 8 × 8-pixel ymm",
            _ => "portable",
        };
        return $"Avx512F {Avx512F.IsSupported}, Vector512 accelerated {Vector512.IsHardwareAccelerated}, Avx2 {Avx2.IsSupported}, Fma {Fma.IsSupported}; " +
            $"path {path} (hardware {Hardware}{(Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } cap ? $", {EnvironmentVariable}={cap}" : "")}); GEMM tile {gemm}; conv tiles {conv}";
    }

    private static SimdPath Cap(SimdPath path, SimdPath? cap) => cap is { } c && c < path ? c : path;

    private static SimdPath? ParseCap(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" or "avx512" => null,
        "avx2" => SimdPath.Avx2,
        "portable" => SimdPath.Portable,
        // An unknown value caps nothing; Describe() shows the variable as it was read.
        _ => null,
    };

    private sealed class Scope(SimdPath? previous) : IDisposable
    {
        public void Dispose() => _forced = previous;
    }
}
