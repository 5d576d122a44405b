namespace DyCompile.Passes.EGraph;

/// <summary>
/// One growable list per class id, all stored as segments of a single array: no object per
/// list, so a large e-graph gives the garbage collector a handful of big arrays to trace instead
/// of one or two small arrays per class. A list that outgrows its segment moves to the end of the
/// array; the space it leaves is reclaimed by <see cref="CompactIfWasteful"/>.
/// </summary>
internal sealed class ClassLists<T>
{
    private int[] _start = new int[16];
    private int[] _count = new int[16];
    private int[] _capacity = new int[16];
    private T[] _data = new T[64];
    private int _used;
    private int _wasted;

    public void EnsureIds(int ids)
    {
        if (ids <= _start.Length)
        {
            return;
        }
        var size = Math.Max(ids, _start.Length * 2);
        Array.Resize(ref _start, size);
        Array.Resize(ref _count, size);
        Array.Resize(ref _capacity, size);
    }

    public int Count(int id) => _count[id];

    /// <summary>The list's items; valid until a list grows or the storage is compacted.</summary>
    public Span<T> AsSpan(int id) => _data.AsSpan(_start[id], _count[id]);

    public void Add(int id, T item)
    {
        if (_count[id] == _capacity[id])
        {
            Reserve(id, _count[id] + 1);
        }
        _data[_start[id] + _count[id]++] = item;
    }

    /// <summary>Appends <paramref name="items"/> (which may lie in this storage) to a list.</summary>
    public void AddRange(int id, ReadOnlySpan<T> items)
    {
        if (items.IsEmpty)
        {
            return;
        }
        if (_count[id] + items.Length > _capacity[id])
        {
            Reserve(id, _count[id] + items.Length);
        }
        items.CopyTo(_data.AsSpan(_start[id] + _count[id]));
        _count[id] += items.Length;
    }

    /// <summary>
    /// Moves <paramref name="from"/>'s items into <paramref name="into"/>, leaving it empty. As egg's
    /// concatenation does, the shorter list is appended to the longer one.
    /// </summary>
    public void MoveInto(int into, int from)
    {
        if (_count[into] < _count[from])
        {
            (_start[into], _start[from]) = (_start[from], _start[into]);
            (_count[into], _count[from]) = (_count[from], _count[into]);
            (_capacity[into], _capacity[from]) = (_capacity[from], _capacity[into]);
        }
        // The source span stays valid if the target moves: a grown array is a copy.
        AddRange(into, _data.AsSpan(_start[from], _count[from]));
        Release(from);
    }

    public void Release(int id)
    {
        _wasted += _capacity[id];
        _start[id] = 0;
        _count[id] = 0;
        _capacity[id] = 0;
    }

    /// <summary>Removes the items matching <paramref name="match"/>, keeping the order of the rest; returns how many.</summary>
    public int RemoveAll(int id, Func<T, bool> match)
    {
        var span = AsSpan(id);
        var kept = 0;
        foreach (var item in span)
        {
            if (!match(item))
            {
                span[kept++] = item;
            }
        }
        var removed = span.Length - kept;
        _count[id] = kept;
        return removed;
    }

    /// <summary>Packs the lists of ids below <paramref name="ids"/> when more than half the storage is unused.</summary>
    public void CompactIfWasteful(int ids)
    {
        if (_wasted * 2 <= _used)
        {
            return;
        }
        var live = 0;
        for (var id = 0; id < ids; id++)
        {
            live += _count[id];
        }
        var data = new T[Math.Max(64, live + live / 2)];
        var used = 0;
        for (var id = 0; id < ids; id++)
        {
            _data.AsSpan(_start[id], _count[id]).CopyTo(data.AsSpan(used));
            _start[id] = used;
            _capacity[id] = _count[id];
            used += _count[id];
        }
        _data = data;
        _used = used;
        _wasted = 0;
    }

    private void Reserve(int id, int needed)
    {
        var capacity = Math.Max(needed, _capacity[id] == 0 ? 2 : _capacity[id] * 2);
        // A list at the end of the storage grows in place.
        if (_capacity[id] > 0 && _start[id] + _capacity[id] == _used && _start[id] + capacity <= _data.Length)
        {
            _used += capacity - _capacity[id];
            _capacity[id] = capacity;
            return;
        }
        if (_used + capacity > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _used + capacity));
        }
        _data.AsSpan(_start[id], _count[id]).CopyTo(_data.AsSpan(_used));
        _wasted += _capacity[id];
        _start[id] = _used;
        _capacity[id] = capacity;
        _used += capacity;
    }
}
