namespace DyCompile.Passes.EGraph;

/// <summary>The matches of a searcher rooted at one e-class.</summary>
public sealed record SearchMatches(EClassId EClass, IReadOnlyList<Subst> Substs);
