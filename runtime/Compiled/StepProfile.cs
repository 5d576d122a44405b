using System.Diagnostics;

namespace DyCompile.Runtime.Compiled;

/// <summary>Time spent in one step of a generated segment, summed over calls (see
/// <see cref="StepProfile"/>).</summary>
public sealed class StepCounter(string label)
{
    private long _ticks;
    private long _calls;

    /// <summary>What the step does: its op (or fused ops) and result shape.</summary>
    public string Label { get; } = label;

    public long Calls => Interlocked.Read(ref _calls);

    public double Milliseconds => Interlocked.Read(ref _ticks) * 1000.0 / Stopwatch.Frequency;

    /// <summary>Called by generated code after the step with its elapsed <see cref="Stopwatch"/> ticks.</summary>
    public void Add(long ticks)
    {
        Interlocked.Add(ref _ticks, ticks);
        Interlocked.Increment(ref _calls);
    }

    internal void Reset()
    {
        Interlocked.Exchange(ref _ticks, 0);
        Interlocked.Exchange(ref _calls, 0);
    }
}

/// <summary>Per-step timing of compiled segments, for finding which fused step of a compiled model
/// takes the time (the steps as they run, fused loops and convolution epilogues included, unlike a
/// walk of the IR with eager kernels). Only code generated with step profiling on
/// (<c>CompileOptions.ProfileSteps</c>) records anything; each of its steps gets a counter here
/// when the code is generated.</summary>
public static class StepProfile
{
    private static readonly object _gate = new();
    private static readonly List<StepCounter> _counters = [];

    /// <summary>A new counter; generated code keeps it in a static field and looks it up by id.</summary>
    public static int Register(string label)
    {
        lock (_gate)
        {
            _counters.Add(new StepCounter(label));
            return _counters.Count - 1;
        }
    }

    public static StepCounter Counter(int id)
    {
        lock (_gate) return _counters[id];
    }

    /// <summary>Every registered counter.</summary>
    public static IReadOnlyList<StepCounter> Counters
    {
        get { lock (_gate) return [.. _counters]; }
    }

    /// <summary>Zeroes every counter (e.g. after warm-up calls).</summary>
    public static void Reset()
    {
        foreach (var counter in Counters) counter.Reset();
    }
}
