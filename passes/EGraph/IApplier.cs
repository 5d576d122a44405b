namespace DyCompile.Passes.EGraph;

/// <summary>The right side of a rewrite: changes the e-graph for one match.</summary>
public interface IApplier
{
    /// <summary>Applies one match rooted at <paramref name="eclass"/>; true when the e-graph changed.</summary>
    bool Apply<TData>(EGraph<TData> egraph, EClassId eclass, Subst subst);

    /// <summary>The variables the applier reads; a rewrite checks its searcher binds them all.</summary>
    IReadOnlyCollection<Var> Vars { get; }

    /// <summary>
    /// The most e-nodes one application can add (before analysis <c>Modify</c> hooks); bounds the
    /// runner's node-limit overshoot. <see cref="int.MaxValue"/> when unknown.
    /// </summary>
    int MaxNodesAdded => int.MaxValue;
}
