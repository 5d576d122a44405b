using System.Diagnostics;

namespace DyCompile.DeviceCheck;

/// <summary>Median wall time of a call after warm-up calls.</summary>
internal static class Latency
{
    public static double MedianMilliseconds(Action call, int warmUp, int runs)
    {
        for (var i = 0; i < warmUp; i++) call();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    }
}
