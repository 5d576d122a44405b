using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Benchmarks;

/// <summary>Measures one core's FMA throughput directly: twelve independent register-only FMA
/// chains keep both FMA pipes full, so 256-bit flops per CPU-second / (2 pipes × 8 lanes × 2 flop)
/// is the clock the core actually runs at (boost included), which a virtual machine's
/// /proc/cpuinfo may not show. The 512-bit chains give the peak of the zmm kernels, which is not
/// always twice the 256-bit one: a Zen 4 core runs a zmm FMA as two halves on its two 256-bit
/// pipes, so its zmm and ymm flops per cycle are the same.</summary>
public static class FmaThroughput
{
    /// <summary>Single-core GFLOP/s of 256-bit FMAs (or of 512-bit ones with <paramref name="wide"/>),
    /// or null where the machine has no such FMAs.</summary>
    public static double? MeasureCoreGFlops(bool wide = false)
    {
        if (!Fma.IsSupported || (wide && !(Avx512F.IsSupported && Vector512.IsHardwareAccelerated))) return null;
        Run(wide, 1000); // compile
        var process = Process.GetCurrentProcess();
        var best = 0.0;
        for (var round = 0; round < 5; round++)
        {
            const int iterations = 20_000_000;
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            Run(wide, iterations);
            process.Refresh();
            var seconds = (process.TotalProcessorTime - cpu0).TotalSeconds;
            if (seconds > 0) best = Math.Max(best, iterations * 12.0 * (wide ? 32 : 16) / seconds / 1e9);
        }
        return best;
    }

    private static float Run(bool wide, int iterations) => wide ? WideChains(iterations) : Chains(iterations);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains(int iterations)
    {
        var x = Vector256.Create(0.999f);
        var y = Vector256.Create(0.001f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (var i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, x, y); a1 = Fma.MultiplyAdd(a1, x, y); a2 = Fma.MultiplyAdd(a2, x, y);
            a3 = Fma.MultiplyAdd(a3, x, y); a4 = Fma.MultiplyAdd(a4, x, y); a5 = Fma.MultiplyAdd(a5, x, y);
            a6 = Fma.MultiplyAdd(a6, x, y); a7 = Fma.MultiplyAdd(a7, x, y); a8 = Fma.MultiplyAdd(a8, x, y);
            a9 = Fma.MultiplyAdd(a9, x, y); a10 = Fma.MultiplyAdd(a10, x, y); a11 = Fma.MultiplyAdd(a11, x, y);
        }
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector256.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float WideChains(int iterations)
    {
        var x = Vector512.Create(0.999f);
        var y = Vector512.Create(0.001f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (var i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, x, y); a1 = Avx512F.FusedMultiplyAdd(a1, x, y); a2 = Avx512F.FusedMultiplyAdd(a2, x, y);
            a3 = Avx512F.FusedMultiplyAdd(a3, x, y); a4 = Avx512F.FusedMultiplyAdd(a4, x, y); a5 = Avx512F.FusedMultiplyAdd(a5, x, y);
            a6 = Avx512F.FusedMultiplyAdd(a6, x, y); a7 = Avx512F.FusedMultiplyAdd(a7, x, y); a8 = Avx512F.FusedMultiplyAdd(a8, x, y);
            a9 = Avx512F.FusedMultiplyAdd(a9, x, y); a10 = Avx512F.FusedMultiplyAdd(a10, x, y); a11 = Avx512F.FusedMultiplyAdd(a11, x, y);
        }
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector512.Sum(sum);
    }
}
