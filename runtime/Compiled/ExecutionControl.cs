namespace DyCompile.Runtime.Compiled;

/// <summary>The stop conditions of one compiled call, checked by the generated dispatcher at the
/// head of every loop: a <see cref="CancellationToken"/> and a limit on the loop iterations of the
/// call (over all its loops). One instance belongs to one execution state and serves one call at
/// a time; <see cref="Start"/> arms it for the next call.</summary>
public sealed class ExecutionControl(IReadOnlyList<string> loops, IReadOnlyList<string?> sources)
{
    private CancellationToken _token;
    private long _limit = long.MaxValue;
    private long _iterations;

    /// <summary>Arms the control for a call. <paramref name="iterationLimit"/> null means no limit.</summary>
    public void Start(CancellationToken token, long? iterationLimit)
    {
        if (iterationLimit is < 0) throw new ArgumentOutOfRangeException(nameof(iterationLimit), iterationLimit, "an iteration limit is zero or more");
        _token = token;
        _limit = iterationLimit ?? long.MaxValue;
        _iterations = 0;
    }

    /// <summary>Called by the generated code each time it enters loop header number
    /// <paramref name="loop"/>; throws <see cref="LoopStoppedException"/> to stop the call.</summary>
    public void Tick(int loop)
    {
        if (++_iterations > _limit) Stop(LoopStopReason.IterationLimit, loop);
        if (_token.IsCancellationRequested) Stop(LoopStopReason.Cancelled, loop);
    }

    private void Stop(LoopStopReason reason, int loop) =>
        throw new LoopStoppedException(reason, loops[loop], sources[loop], _iterations, reason == LoopStopReason.Cancelled ? _token : default);
}
