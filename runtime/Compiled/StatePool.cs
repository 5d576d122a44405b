namespace DyCompile.Runtime.Compiled;

/// <summary>Idle per-call states of one compiled program (dispatcher instances with their scratch
/// and output buffers). Renting and returning are a few interlocked operations on a fixed array of
/// slots and allocate nothing, so concurrent callers never wait for each other; a caller that finds
/// no idle state gets a new one, and a state returned to a full pool is left to the garbage
/// collector. The pool holds as many states as the machine runs calls at once (twice the core
/// count, at least 8).</summary>
public sealed class StatePool<TState>(Func<TState> create) where TState : class
{
    private readonly TState?[] _slots = new TState?[Math.Max(8, 2 * Environment.ProcessorCount)];

    public TState Rent()
    {
        // Each thread starts its scan at a slot of its own, so threads do not contend for one line.
        var start = Environment.CurrentManagedThreadId;
        for (var k = 0; k < _slots.Length; k++)
        {
            var i = (start + k) % _slots.Length;
            if (Volatile.Read(ref _slots[i]) is not null && Interlocked.Exchange(ref _slots[i], null) is { } state)
                return state;
        }
        return create();
    }

    public void Return(TState state)
    {
        var start = Environment.CurrentManagedThreadId;
        for (var k = 0; k < _slots.Length; k++)
        {
            var i = (start + k) % _slots.Length;
            if (Volatile.Read(ref _slots[i]) is null && Interlocked.CompareExchange(ref _slots[i], state, null) is null)
                return;
        }
    }

    /// <summary>Drops every idle state (the program is being released).</summary>
    public void Clear()
    {
        for (var i = 0; i < _slots.Length; i++) Volatile.Write(ref _slots[i], null);
    }
}
