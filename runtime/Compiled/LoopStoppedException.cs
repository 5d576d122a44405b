namespace DyCompile.Runtime.Compiled;

/// <summary>Why a compiled call stopped inside a loop.</summary>
public enum LoopStopReason
{
    /// <summary>The call's <see cref="CancellationToken"/> was cancelled.</summary>
    Cancelled,

    /// <summary>The loops of the call ran more iterations than the iteration limit allows.</summary>
    IterationLimit,
}

/// <summary>A compiled call was stopped at the head of a loop, by its cancellation token or by its
/// iteration limit. <see cref="Loop"/> names the loop's host block and <see cref="SourceLocation"/> where
/// the loop is in the model's source (<c>file(line)</c>, when the program was compiled from C#).
/// It is an <see cref="OperationCanceledException"/>, so a caller that already handles
/// cancellation handles it; <see cref="Reason"/> tells the two causes apart. The compiled program
/// stays usable: the next call starts afresh.</summary>
public sealed class LoopStoppedException(LoopStopReason reason, string loop, string? source, long iterations, CancellationToken token)
    : OperationCanceledException(Describe(reason, loop, source, iterations), token)
{
    public LoopStopReason Reason { get; } = reason;

    /// <summary>The host block at the head of the loop (<c>^bb3</c>).</summary>
    public string Loop { get; } = loop;

    /// <summary>The loop's place in the model source, <c>file(line)</c>; null when unknown (a
    /// program written in IR text).</summary>
    public string? SourceLocation { get; } = source;

    /// <summary>Loop iterations the call had run, over all its loops, when it stopped.</summary>
    public long Iterations { get; } = iterations;

    private static string Describe(LoopStopReason reason, string loop, string? source, long iterations)
    {
        var where = source is null ? $"the loop at ^{loop}" : $"the loop at {source} (^{loop})";
        return reason == LoopStopReason.Cancelled
            ? $"the compiled call was cancelled in {where} after {iterations} loop iteration(s)"
            : $"the compiled call ran past its limit of {iterations - 1} loop iteration(s) in {where}; raise CompileOptions.LoopIterationLimit or the call's limit if the loop is meant to run that long";
    }
}
