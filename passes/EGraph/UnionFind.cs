namespace DyCompile.Passes.EGraph;

/// <summary>
/// Disjoint sets over dense ids with path halving. The caller picks which root survives a union
/// (the e-graph keeps the class with more parents), so there is no rank here.
/// </summary>
internal sealed class UnionFind
{
    private readonly List<int> _parents = [];

    public int Count => _parents.Count;

    public EClassId MakeSet()
    {
        _parents.Add(_parents.Count);
        return new EClassId(_parents.Count - 1);
    }

    public EClassId Find(EClassId id)
    {
        var current = id.Value;
        while (_parents[current] != current)
        {
            var grandparent = _parents[_parents[current]];
            _parents[current] = grandparent;
            current = grandparent;
        }
        return new EClassId(current);
    }

    /// <summary>Makes <paramref name="root"/> the parent of <paramref name="child"/>; both must be roots.</summary>
    public void Union(EClassId root, EClassId child) => _parents[child.Value] = root.Value;
}
