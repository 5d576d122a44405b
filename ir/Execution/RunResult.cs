namespace DyCompile.IR;

/// <summary>Settings of the <see cref="Interpreter"/>.</summary>
public sealed record InterpreterOptions
{
    /// <summary>Most instructions (nodes and terminators) one run may execute; a program that
    /// loops forever stops with an <see cref="InterpreterException"/> instead of hanging.</summary>
    public long StepLimit { get; init; } = 10_000_000;

    /// <summary>Record the names of the blocks entered, in order.</summary>
    public bool RecordPath { get; init; } = true;

    /// <summary>The eager regions the program's <c>host.call</c>s name by number (the table the
    /// frontend made with the program).</summary>
    public Runtime.Compiled.HostCallbacks Callbacks { get; init; } = Runtime.Compiled.HostCallbacks.None;
}

/// <summary>What a run produced: the program results (Tensors and host scalars: int, float,
/// bool), the block path taken (empty unless recorded) and the number of instructions executed.</summary>
public sealed record RunResult(IReadOnlyList<object> Outputs, IReadOnlyList<string> Path, long Steps);
