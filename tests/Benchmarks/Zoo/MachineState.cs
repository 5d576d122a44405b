using System.Globalization;

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
    }

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
