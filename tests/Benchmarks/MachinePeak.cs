using System.Globalization;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Benchmarks;

/// <summary>The FP32 peak the GFLOP/s numbers are compared with:
/// cores × FMA pipes (2) × lanes per vector × 2 flop per FMA × clock.</summary>
/// <remarks>The clock is, in order of preference: the DYCOMPILE_CPU_GHZ environment variable;
/// the clock measured by <see cref="FmaThroughput"/> (what the core really runs at, boost
/// included); the "cpu MHz" line of /proc/cpuinfo, which on a virtual machine is often the
/// nominal clock only.</remarks>
public static class MachinePeak
{
    public const int FmaPipes = 2;

    public static int Lanes => Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 4;

    /// <summary>The "cpu MHz" of /proc/cpuinfo in GHz, or null where there is none.</summary>
    public static double? NominalClockGHz { get; } = ReadCpuInfoClock();

    public static (double GHz, string Source) Clock { get; } = ChooseClock();

    public static double ClockGHz => Clock.GHz;

    public static double GFlops => Environment.ProcessorCount * FmaPipes * Lanes * 2 * ClockGHz;

    public static string Describe() =>
        $"{Environment.ProcessorCount} cores x {FmaPipes} FMA pipes x {Lanes} lanes x 2 flop x {ClockGHz:F3} GHz ({Clock.Source}) = {GFlops:F1} GFLOP/s";

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
