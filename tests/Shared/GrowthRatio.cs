using System.Diagnostics;

namespace DyCompile.Tests.Shared;

/// <summary>How much more processor time a job on a larger input takes than on a smaller one.
/// Processor time, not wall time: on a machine shared with other work, a short job may run on an
/// idle core while a long one is preempted, which skews a wall-clock ratio by the load. Both jobs
/// run once first (so each is measured at the same JIT tier), then alternate for several rounds
/// after a full collection; the least time of each counts. Callers run alone in the test process
/// (a non-parallel collection), so the process's time is the job's.</summary>
internal static class GrowthRatio
{
    public static double Of(Action small, Action large, int rounds = 4)
    {
        small();
        large();
        double bestSmall = double.MaxValue, bestLarge = double.MaxValue;
        for (var round = 0; round < rounds; round++)
        {
            bestSmall = Math.Min(bestSmall, Seconds(small));
            bestLarge = Math.Min(bestLarge, Seconds(large));
        }
        return bestLarge / bestSmall;
    }

    private static double Seconds(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds;
    }
}
