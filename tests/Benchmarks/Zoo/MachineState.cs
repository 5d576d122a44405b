using System.Globalization;
using DyCompile.Runtime;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>The machine a run was taken on: processor, and the load average (1 / 5 / 15 min, from
/// /proc/loadavg) at the start and the end, since the cores may be shared with other work.</summary>
internal sealed class MachineState
{
    public MachineState()
    {
        Started = DateTime.UtcNow;
        LoadAtStart = ReadLoad();
        Cpu = ReadCpu();
        Isa = $"DyCompile: {KernelIsa.Describe()}. ONNX Runtime {Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString()}: MLAS picks its kernels by CPUID at start-up " +
            $"and does not report which; the machine's flags: {ReadFlags()}";
    }

    /// <summary>What each side's dense kernels run on.</summary>
    public string Isa { get; }

    public DateTime Started { get; }

    public DateTime Ended { get; private set; }

    public string Cpu { get; }

    public string LoadAtStart { get; }

    public string LoadAtEnd { get; private set; } = "";

    public void Finish()
    {
        Ended = DateTime.UtcNow;
        LoadAtEnd = ReadLoad();
    }

    public string Minutes => ((Ended - Started).TotalMinutes).ToString("F1", CultureInfo.InvariantCulture);

    private static string ReadLoad()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(" / ", parts.Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>The vector instruction-set flags of /proc/cpuinfo that decide MLAS's kernels.</summary>
    private static string ReadFlags()
    {
        string[] wanted = ["avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile"];
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            if (line is null) return "unknown";
            var flags = line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            return string.Join(" ", wanted.Where(flags.Contains));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string ReadCpu()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown processor" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown processor";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown processor";
        }
    }
}
