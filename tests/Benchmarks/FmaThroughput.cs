using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Benchmarks;

/// <summary>Measures one core's FMA throughput directly: twelve independent register-only FMA
/// chains keep both FMA pipes full, so flops per CPU-second / (2 pipes × 8 lanes × 2 flop) is the
/// clock the core actually runs at (boost included), which a virtual machine's /proc/cpuinfo
/// may not show.</summary>
public static class FmaThroughput
{
    /// <summary>Single-core GFLOP/s of 256-bit FMAs, or null without AVX2/FMA.</summary>
    public static double? MeasureCoreGFlops()
    {
        if (!Fma.IsSupported) return null;
        Chains(1000); // compile
        var process = Process.GetCurrentProcess();
        var best = 0.0;
        for (var round = 0; round < 5; round++)
        {
            const int iterations = 20_000_000;
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            Chains(iterations);
            process.Refresh();
            var seconds = (process.TotalProcessorTime - cpu0).TotalSeconds;
            if (seconds > 0) best = Math.Max(best, iterations * 12.0 * 16 / seconds / 1e9);
        }
        return best;
    }

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
}
