namespace DyCompile.IR;

/// <summary>The eager C# regions a program calls through <c>host.call</c>: the compiler registers
/// one callback per region it could not lower (non-strict mode) and puts the id in the program
/// as the call's first operand. A callback receives the values the region reads. A <em>trap</em>
/// is a callback that never returns: it throws what the eager code throws where the program has
/// no valid continuation (a module list indexed out of range); code generators that cannot call
/// back into C# (ONNX) may replace it by any run-time failure.</summary>
public static class HostCallbacks
{
    private static readonly object _lock = new();
    private static readonly List<(string Symbol, Action<IReadOnlyList<object>> Body, bool IsTrap)> _callbacks = [];

    /// <summary>Registers a region; <paramref name="symbol"/> says where it comes from
    /// (<c>Model.Forward@12:9</c>). Returns the id to call it by.</summary>
    public static int Register(string symbol, Action<IReadOnlyList<object>> body) => Add(symbol, body, isTrap: false);

    /// <summary>Registers a trap: <paramref name="fail"/> must throw (if it returns, the call throws
    /// <see cref="InvalidOperationException"/>: a trap has no continuation).</summary>
    public static int RegisterTrap(string symbol, Action<IReadOnlyList<object>> fail) =>
        Add(symbol, values =>
        {
            fail(values);
            throw new InvalidOperationException($"trap {symbol} returned");
        }, isTrap: true);

    /// <summary>Whether <paramref name="id"/> is a registered trap.</summary>
    public static bool IsTrap(int id)
    {
        lock (_lock) return id >= 0 && id < _callbacks.Count && _callbacks[id].IsTrap;
    }

    private static int Add(string symbol, Action<IReadOnlyList<object>> body, bool isTrap)
    {
        lock (_lock)
        {
            _callbacks.Add((symbol, body, isTrap));
            return _callbacks.Count - 1;
        }
    }

    /// <summary>The symbol a callback was registered with.</summary>
    public static string Symbol(int id)
    {
        lock (_lock) return id >= 0 && id < _callbacks.Count ? _callbacks[id].Symbol : throw new InterpreterException($"host.call: no callback {id}");
    }

    /// <summary>Runs callback <paramref name="id"/>; the call's one result is the id.</summary>
    public static IReadOnlyList<object> Invoke(int id, IReadOnlyList<object> arguments)
    {
        Action<IReadOnlyList<object>> body;
        lock (_lock)
        {
            if (id < 0 || id >= _callbacks.Count) throw new InterpreterException($"host.call: no callback {id} is registered");
            body = _callbacks[id].Body;
        }
        body(arguments);
        return [id];
    }
}
