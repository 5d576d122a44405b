using System.Globalization;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Benchmarks;

/// <summary>The FP32 peak the GFLOP/s numbers are compared with: cores × the FMA flops one core
/// runs per second on the widest vectors the kernels use, measured (<see cref="FmaThroughput"/>),
/// or cores × FMA pipes (2) × lanes per vector × 2 flop per FMA × clock where nothing was measured.</summary>
/// <remarks>The clock is, in order of preference: the DYCOMPILE_CPU_GHZ environment variable
/// (which also makes the peak the formula's); the clock measured by <see cref="FmaThroughput"/>
/// (what the core really runs at, boost included); the "cpu MHz" line of /proc/cpuinfo, which
/// on a virtual machine is often the nominal clock only. On AVX-512 machines the zmm rate is
/// measured rather than taken as twice the ymm one: on a Zen 4 the two are equal.</remarks>
public static class MachinePeak
{
    public const int FmaPipes = 2;

    public static int Lanes => Wide ? 16 : Avx2.IsSupported ? 8 : 4;

    private static bool Wide => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>The "cpu MHz" of /proc/cpuinfo in GHz, or null where there is none.</summary>
    public static double? NominalClockGHz { get; } = ReadCpuInfoClock();

    public static (double GHz, string Source) Clock { get; } = ChooseClock();

    public static double ClockGHz => Clock.GHz;

    /// <summary>One core's measured FMA GFLOP/s on the widest vectors, or null (not measured, or
    /// the clock given by DYCOMPILE_CPU_GHZ).</summary>
    private static double? MeasuredCoreGFlops { get; } =
        Clock.Source == "DYCOMPILE_CPU_GHZ" ? null : FmaThroughput.MeasureCoreGFlops(Wide) ?? FmaThroughput.MeasureCoreGFlops();

    public static double GFlops => Environment.ProcessorCount * (MeasuredCoreGFlops ?? FmaPipes * Lanes * 2 * ClockGHz);

    public static string Describe() => MeasuredCoreGFlops is { } core
        ? $"{Environment.ProcessorCount} cores x {core:F1} GFLOP/s of {(Wide ? "zmm" : "ymm")} FMAs measured per core " +
          $"({core / (2 * Lanes * ClockGHz):F2} FMAs per cycle at {ClockGHz:F3} GHz, {Clock.Source}) = {GFlops:F1} GFLOP/s"
        : $"{Environment.ProcessorCount} cores x {FmaPipes} FMA pipes x {Lanes} lanes x 2 flop x {ClockGHz:F3} GHz ({Clock.Source}) = {GFlops:F1} GFLOP/s";

    private static (double, string) ChooseClock()
    {
        var overridden = Environment.GetEnvironmentVariable("DYCOMPILE_CPU_GHZ");
        if (double.TryParse(overridden, NumberStyles.Float, CultureInfo.InvariantCulture, out var ghz) && ghz > 0)
            return (ghz, "DYCOMPILE_CPU_GHZ");
        if (FmaThroughput.MeasureCoreGFlops() is { } core && core > 0)
            return (core / (FmaPipes * 8 * 2), "measured FMA throughput");
        if (NominalClockGHz is { } nominal) return (nominal, "/proc/cpuinfo");
        return (3.0, "assumed");
    }

    private static double? ReadCpuInfoClock()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo)) return null;
        foreach (var line in File.ReadLines(cpuInfo))
            if (line.StartsWith("cpu MHz", StringComparison.Ordinal)
                && double.TryParse(line[(line.IndexOf(':') + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var mhz))
                return mhz / 1000;
        return null;
    }
}
