using System.Globalization;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Benchmarks;

/// <summary>The FP32 peak the GFLOP/s numbers are compared with:
/// cores × FMA pipes (2) × lanes per vector × 2 flop per FMA × clock. The clock is the
/// "cpu MHz" of the first processor in /proc/cpuinfo (Linux), overridable with the
/// DYCOMPILE_CPU_GHZ environment variable where that file is missing or misleading.</summary>
public static class MachinePeak
{
    public const int FmaPipes = 2;

    public static int Lanes => Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 4;

    public static double ClockGHz { get; } = ReadClock();

    public static double GFlops => Environment.ProcessorCount * FmaPipes * Lanes * 2 * ClockGHz;

    public static string Describe() =>
        $"{Environment.ProcessorCount} cores x {FmaPipes} FMA pipes x {Lanes} lanes x 2 flop x {ClockGHz:F3} GHz = {GFlops:F1} GFLOP/s";

    private static double ReadClock()
    {
        var overridden = Environment.GetEnvironmentVariable("DYCOMPILE_CPU_GHZ");
        if (double.TryParse(overridden, NumberStyles.Float, CultureInfo.InvariantCulture, out var ghz) && ghz > 0) return ghz;
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
            foreach (var line in File.ReadLines(cpuInfo))
                if (line.StartsWith("cpu MHz", StringComparison.Ordinal)
                    && double.TryParse(line[(line.IndexOf(':') + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var mhz))
                    return mhz / 1000;
        return 3.0; // unknown: a typical clock, stated in the printed description
    }
}
