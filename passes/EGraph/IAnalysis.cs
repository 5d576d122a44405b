namespace DyCompile.Passes.EGraph;

/// <summary>
/// An e-class analysis (as in egg): data attached to every e-class, made from each e-node,
/// merged on union, and a hook to change the e-graph from it (e.g. constant folding adds the
/// constant and prunes the class to it). Merging must be a semilattice join for rebuild to settle.
/// </summary>
public interface IAnalysis<TData>
{
    /// <summary>The data of a fresh class holding only <paramref name="node"/> (its children exist).</summary>
    TData Make(EGraph<TData> egraph, ENode node);

    /// <summary>Joins <paramref name="from"/> into <paramref name="into"/>; says which side's data changed.</summary>
    MergeResult Merge(ref TData into, TData from);

    /// <summary>Called after a class is made or merged or its data changes; may add and union.</summary>
    void Modify(EGraph<TData> egraph, EClassId id)
    {
    }
}

/// <summary>
/// Which data a merge changed: <see cref="IntoChanged"/> when the result differs from the old
/// <c>into</c>, <see cref="FromChanged"/> when it differs from <c>from</c>. The e-graph re-runs
/// the analysis on the parents of each changed side.
/// </summary>
public readonly record struct MergeResult(bool IntoChanged, bool FromChanged);
