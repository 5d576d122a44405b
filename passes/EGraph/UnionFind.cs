namespace DyCompile.Passes.EGraph;

/// <summary>
/// Disjoint sets over dense ids with path halving. The caller picks which root survives a union
/// (the e-graph keeps the class with more parents), so there is no rank here.
/// </summary>
internal sealed class UnionFind
{
    private int[] _parents = new int[16];

    public int Count { get; private set; }

    public int MakeSet()
    {
        if (Count == _parents.Length)
        {
            Array.Resize(ref _parents, Count * 2);
        }
        _parents[Count] = Count;
        return Count++;
    }

    public int Find(int id)
    {
        var parents = _parents;
        while (parents[id] != id)
        {
            var grandparent = parents[parents[id]];
            parents[id] = grandparent;
            id = grandparent;
        }
        return id;
    }

    public EClassId Find(EClassId id) => new(Find(id.Value));

    public bool IsRoot(int id) => _parents[id] == id;

    /// <summary>Makes <paramref name="root"/> the parent of <paramref name="child"/>; both must be roots.</summary>
    public void Union(int root, int child) => _parents[child] = root;
}
