using DyCompile.Backends.Host;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Compiler.Jit;

/// <summary>An execution state of a <see cref="CompiledProgram"/> held by one caller: the
/// allocation-free way to call it. Result tensors are the session's own buffers and stay valid
/// until its next call (clone what you keep); host scalar results reuse the box already in their
/// slot when unchanged. One call at a time: a second call while one runs throws
/// <see cref="InvalidOperationException"/> rather than sharing buffers. Other sessions and the
/// program's own <c>Run</c>/<c>RunInto</c> run alongside. Weights and stop conditions behave as
/// for the program's calls.</summary>
public sealed class CompiledSession : IDisposable
{
    private readonly CompiledProgram _program;
    private ExecutionState? _state;
    private int _busy;

    internal CompiledSession(CompiledProgram program, ExecutionState state)
    {
        _program = program;
        _state = state;
    }

    public CompiledProgram Program => _program;

    /// <summary>When set, each call appends the names of the host blocks it enters.</summary>
    public List<string>? Path { get; set; }

    /// <summary>Runs the program with <paramref name="inputs"/> in program order and writes the results to <paramref name="outputs"/>.</summary>
    /// <exception cref="LoopStoppedException">The call was cancelled or ran past the iteration limit.</exception>
    public void RunInto(object[] inputs, object[] outputs, CancellationToken cancellation = default)
    {
        var state = _state;
        ObjectDisposedException.ThrowIf(state is null, this);
        _program.CheckCall(inputs, outputs);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InvalidOperationException("a compiled session serves one call at a time; open a session per thread, or call CompiledProgram.RunInto");
        try
        {
            state.Host.Path = Path;
            _program.Execute(state, inputs, outputs, cancellation);
        }
        finally
        {
            state.Host.Path = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Gives the session's buffers back to the program; results it returned are no longer valid.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, null) is { } state) _program.ReturnState(state);
    }
}
