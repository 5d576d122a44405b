using System.Runtime.CompilerServices;

namespace DyCompile.Passes.EGraph;

/// <summary>
/// A growable array kept by value in the e-graph's per-class tables (one array object per list,
/// no list object), so large e-graphs carry fewer objects for the collector to trace.
/// </summary>
internal struct ClassList<T>
{
    private T[]? _items;   // null until the first item

    public ClassList(T first)
    {
        _items = [first];
        Count = 1;
    }

    public int Count { get; private set; }

    public readonly Span<T> AsSpan() => _items.AsSpan(0, Count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        if (_items is null || Count == _items.Length)
        {
            Grow(Count + 1);
        }
        _items![Count++] = item;
    }

    public void AddRange(ReadOnlySpan<T> items)
    {
        if (items.IsEmpty)
        {
            return;
        }
        if (_items is null || Count + items.Length > _items.Length)
        {
            Grow(Count + items.Length);
        }
        items.CopyTo(_items!.AsSpan(Count));
        Count += items.Length;
    }

    /// <summary>Removes the items matching <paramref name="match"/>, keeping the order of the rest; returns how many.</summary>
    public int RemoveAll(Func<T, bool> match)
    {
        var span = AsSpan();
        var kept = 0;
        foreach (var item in span)
        {
            if (!match(item))
            {
                span[kept++] = item;
            }
        }
        var removed = Count - kept;
        Count = kept;
        return removed;
    }

    private void Grow(int needed)
    {
        var size = Math.Max(needed, _items is null || _items.Length == 0 ? 4 : _items.Length * 2);
        var grown = new T[size];
        if (_items is not null)
        {
            _items.AsSpan(0, Count).CopyTo(grown);
        }
        _items = grown;
    }

    /// <summary>Appends the shorter list to the longer and returns the longer.</summary>
    public static ClassList<T> Concat(ClassList<T> into, ClassList<T> from)
    {
        if (into.Count < from.Count)
        {
            (into, from) = (from, into);
        }
        into.AddRange(from.AsSpan());
        return into;
    }
}
