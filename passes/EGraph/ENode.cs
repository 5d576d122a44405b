namespace DyCompile.Passes.EGraph;

/// <summary>
/// An e-node: an operator name, an optional payload (a constant, a symbol, an attribute — any
/// object with value equality) and the e-classes of its children. Immutable, with value equality
/// over all three parts, so it can key the e-graph's hashcons.
/// </summary>
/// <example><code>
/// var x = new ENode("sym", "x");                 // a leaf carrying a symbol
/// var sum = new ENode("+", null, [xId, yId]);    // an operator over two e-classes
/// </code></example>
public sealed class ENode : IEquatable<ENode>
{
    private static readonly EClassId[] NoChildren = [];
    private readonly EClassId[] _children;
    private readonly int _hash;

    public ENode(string op, object? payload = null, IEnumerable<EClassId>? children = null)
        : this(op, payload, children is null ? NoChildren : children.ToArray())
    {
    }

    /// <summary>Takes ownership of <paramref name="children"/> (no copy): callers pass a fresh array.</summary>
    internal ENode(string op, object? payload, EClassId[] children)
    {
        ArgumentNullException.ThrowIfNull(op);
        Op = op;
        Payload = payload;
        _children = children;
        var hash = new HashCode();
        hash.Add(op, StringComparer.Ordinal);
        hash.Add(payload);
        foreach (var child in children)
        {
            hash.Add(child.Value);
        }
        _hash = hash.ToHashCode();
    }

    public string Op { get; }

    public object? Payload { get; }

    public IReadOnlyList<EClassId> Children => _children;

    public int Arity => _children.Length;

    public bool IsLeaf => _children.Length == 0;

    /// <summary>Whether this node has the same operator, payload and arity as <paramref name="other"/> (children ignored).</summary>
    public bool Matches(string op, object? payload, int arity) =>
        arity == _children.Length && string.Equals(Op, op, StringComparison.Ordinal) && Equals(Payload, payload);

    /// <summary>This node with each child mapped; returns this instance when nothing changes.</summary>
    public ENode MapChildren(Func<EClassId, EClassId> map)
    {
        EClassId[]? mapped = null;
        for (var i = 0; i < _children.Length; i++)
        {
            var next = map(_children[i]);
            if (next != _children[i] && mapped is null)
            {
                mapped = (EClassId[])_children.Clone();
            }
            if (mapped is not null)
            {
                mapped[i] = next;
            }
        }
        return mapped is null ? this : new ENode(Op, Payload, mapped);
    }

    internal EClassId ChildAt(int index) => _children[index];

    public bool Equals(ENode? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other._hash != _hash || !other.Matches(Op, Payload, _children.Length))
        {
            return false;
        }
        return _children.AsSpan().SequenceEqual(other._children);
    }

    public override bool Equals(object? obj) => Equals(obj as ENode);

    public override int GetHashCode() => _hash;

    public override string ToString()
    {
        var head = Payload is null ? Op : $"{Op}:{Term.FormatPayload(Payload)}";
        return _children.Length == 0 ? head : $"({head} {string.Join(' ', _children)})";
    }
}
