namespace DyCompile.Passes.EGraph;

/// <summary>
/// An e-class: equivalent e-nodes and the analysis data of the class. This is a view of the
/// e-graph's storage for one class id; take a fresh one (<c>egraph[id]</c>) after unions.
/// </summary>
public sealed class EClass<TData>
{
    private readonly EGraph<TData> _egraph;
    private IReadOnlyList<ENode> _nodes = [];
    private (int, int) _nodesVersion = (-1, -1);

    internal EClass(EGraph<TData> egraph, EClassId id)
    {
        _egraph = egraph;
        Id = id;
    }

    /// <summary>The canonical id of this class.</summary>
    public EClassId Id { get; }

    /// <summary>The e-nodes; canonical and duplicate-free after <see cref="EGraph{TData}.Rebuild"/>.</summary>
    public IReadOnlyList<ENode> Nodes
    {
        get
        {
            var version = _egraph.NodesVersion(Id.Value);
            if (_nodesVersion != version)
            {
                var entries = _egraph.NodesOf(Id.Value);
                var nodes = new ENode[entries.Length];
                for (var i = 0; i < nodes.Length; i++)
                {
                    nodes[i] = _egraph.Materialize((int)entries[i], canonical: false);
                }
                _nodes = nodes;
                _nodesVersion = version;
            }
            return _nodes;
        }
    }

    /// <summary>The analysis data (see <see cref="IAnalysis{TData}"/>).</summary>
    public TData Data
    {
        get => _egraph.DataOf(Id.Value);
        internal set => _egraph.SetData(Id.Value, value);
    }

    /// <summary>
    /// Drops e-nodes from the class, e.g. an analysis pruning a constant-folded class to its
    /// constant. The nodes stay in the hashcons, so re-adding one finds this class again.
    /// </summary>
    public void RemoveNodes(Predicate<ENode> match) => _egraph.RemoveNodes(Id.Value, match);

    public override string ToString() => $"{Id}: [{string.Join(", ", Nodes)}]";
}
