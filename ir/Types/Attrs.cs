using System.Collections;
using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>The attributes of one node: names to values, compared as a set (order-insensitive).
/// Supports collection initializers: <c>new Attrs { { "dims", new[] { 0 } }, { "keepdim", false } }</c>.
/// A node freezes its copy, so the attributes of a built program cannot change.</summary>
public sealed class Attrs : IEnumerable<KeyValuePair<string, AttrValue>>, IEquatable<Attrs>
{
    private readonly List<KeyValuePair<string, AttrValue>> _items = [];
    private bool _frozen;

    public bool IsFrozen => _frozen;

    /// <summary>Makes this instance read-only; returns it.</summary>
    public Attrs Freeze()
    {
        _frozen = true;
        return this;
    }

    private void ThrowIfFrozen()
    {
        if (_frozen) throw new InvalidOperationException("these attributes belong to a node and are read-only; Clone() them to change");
    }

    public static Attrs Empty => new();

    public int Count => _items.Count;

    public AttrValue? this[string name]
    {
        get => _items.FirstOrDefault(kv => kv.Key == name).Value;
        set
        {
            ThrowIfFrozen();
            ArgumentNullException.ThrowIfNull(value);
            var i = _items.FindIndex(kv => kv.Key == name);
            if (i >= 0) _items[i] = new(name, value);
            else _items.Add(new(name, value));
        }
    }

    public bool Contains(string name) => _items.Exists(kv => kv.Key == name);

    public void Add(string name, AttrValue value)
    {
        ThrowIfFrozen();
        if (Contains(name)) throw new ArgumentException($"attribute '{name}' given twice");
        _items.Add(new(name, value));
    }

    public void Add(string name, int value) => Add(name, new IntAttr(value));
    public void Add(string name, float value) => Add(name, new FloatAttr(value));
    public void Add(string name, bool value) => Add(name, new BoolAttr(value));
    public void Add(string name, int[] value) => Add(name, new IntsAttr([.. value]));
    public void Add(string name, DType value) => Add(name, new DTypeAttr(value));

    public int GetInt(string name) => ((IntAttr)Require(name)).Value;
    public float GetFloat(string name) => ((FloatAttr)Require(name)).Value;
    public bool GetBool(string name) => ((BoolAttr)Require(name)).Value;
    public int[] GetInts(string name) => [.. ((IntsAttr)Require(name)).Values];
    public DType GetDType(string name) => ((DTypeAttr)Require(name)).Value;

    private AttrValue Require(string name) => this[name] ?? throw new KeyNotFoundException($"attribute '{name}' is missing");

    /// <summary>A mutable copy.</summary>
    public Attrs Clone()
    {
        var copy = new Attrs();
        copy._items.AddRange(_items);
        return copy;
    }

    public IEnumerator<KeyValuePair<string, AttrValue>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(Attrs? other) =>
        other is not null && other.Count == Count && _items.TrueForAll(kv => Equals(other[kv.Key], kv.Value));

    public override bool Equals(object? obj) => Equals(obj as Attrs);

    public override int GetHashCode() => _items.Aggregate(0, (h, kv) => h ^ HashCode.Combine(kv.Key, kv.Value));
}
