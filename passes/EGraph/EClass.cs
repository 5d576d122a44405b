namespace DyCompile.Passes.EGraph;

/// <summary>
/// An e-class: equivalent e-nodes, the analysis data of the class, and the parent e-nodes that
/// have this class as a child (what must be re-canonicalized when it merges).
/// </summary>
public sealed class EClass<TData>
{
    internal EClass(EClassId id, TData data)
    {
        Id = id;
        Data = data;
    }

    /// <summary>The canonical id of this class.</summary>
    public EClassId Id { get; }

    /// <summary>The e-nodes; canonical and duplicate-free after <see cref="EGraph{TData}.Rebuild"/>.</summary>
    public IReadOnlyList<ENode> Nodes => NodeList;

    /// <summary>The analysis data (see <see cref="IAnalysis{TData}"/>).</summary>
    public TData Data { get; internal set; }

    internal List<ENode> NodeList { get; set; } = [];

    internal List<(ENode Node, EClassId Class)> Parents { get; set; } = [];

    /// <summary>
    /// Drops e-nodes from the class, e.g. an analysis pruning a constant-folded class to its
    /// constant. The nodes stay in the hashcons, so re-adding one finds this class again.
    /// </summary>
    public void RemoveNodes(Predicate<ENode> match) => NodeList.RemoveAll(match);

    public override string ToString() => $"{Id}: [{string.Join(", ", NodeList)}]";
}
