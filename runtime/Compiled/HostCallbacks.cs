namespace DyCompile.Runtime.Compiled;

/// <summary>The eager C# regions one program calls back into through <c>host.call</c>, numbered
/// from 0 in the order they were added: the program's <c>host.call</c> names its callee by that
/// number, so the program's text does not depend on what else the process compiled. The frontend
/// adds one callback per statement it could not lower (non-strict mode) and hands the table, with
/// the program, to whatever runs it (the interpreter, a compiled program, the ONNX exporter). A
/// callback receives the values the region reads. A <em>trap</em> is a callback that never returns:
/// it throws what the eager code throws where the program has no valid continuation (a module
/// list indexed out of range); a target that cannot call back into C# (ONNX) may replace it by any
/// run-time failure. Adding is safe from one thread at a time; calling is safe from many.</summary>
public sealed class HostCallbacks
{
    private readonly List<Entry> _entries = [];

    /// <summary>A table with no callback, for programs that call none.</summary>
    public static HostCallbacks None { get; } = new();

    private sealed record Entry(string Symbol, Action<IReadOnlyList<object>> Body, bool IsTrap);

    public int Count => _entries.Count;

    /// <summary>Adds a region; <paramref name="symbol"/> says where it comes from
    /// (<c>Model.Forward@12:9</c>). Returns its number.</summary>
    public int Add(string symbol, Action<IReadOnlyList<object>> body) => Append(new Entry(symbol, body, IsTrap: false));

    /// <summary>Adds a trap: <paramref name="fail"/> must throw (if it returns, the call throws
    /// <see cref="InvalidOperationException"/>: a trap has no continuation). Returns its number.</summary>
    public int AddTrap(string symbol, Action<IReadOnlyList<object>> fail) => Append(new Entry(symbol, values =>
    {
        fail(values);
        throw new InvalidOperationException($"trap {symbol} returned");
    }, IsTrap: true));

    private int Append(Entry entry)
    {
        if (ReferenceEquals(this, None)) throw new InvalidOperationException("HostCallbacks.None is empty by definition; make a table of your own");
        _entries.Add(entry);
        return _entries.Count - 1;
    }

    /// <summary>Whether callback <paramref name="index"/> exists and is a trap.</summary>
    public bool IsTrap(int index) => index >= 0 && index < _entries.Count && _entries[index].IsTrap;

    /// <summary>The symbol callback <paramref name="index"/> was added with.</summary>
    public string Symbol(int index) => Find(index).Symbol;

    /// <summary>Runs callback <paramref name="index"/> on <paramref name="arguments"/>; returns
    /// <paramref name="index"/> (the <c>host.call</c>'s result, which marks that the region ran).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The table has no callback <paramref name="index"/>.</exception>
    public int Invoke(int index, IReadOnlyList<object> arguments)
    {
        Find(index).Body(arguments);
        return index;
    }

    private Entry Find(int index) => index >= 0 && index < _entries.Count
        ? _entries[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"host.call: the program's callback table has {_entries.Count} callback(s), none numbered {index}");
}
