namespace DyCompile.Passes.EGraph;

/// <summary>The left side of a rewrite: finds matches in a (clean) e-graph.</summary>
public interface ISearcher
{
    /// <summary>Matches, stopping once <paramref name="limit"/> substitutions were found in total.</summary>
    IReadOnlyList<SearchMatches> Search<TData>(EGraph<TData> egraph, int limit = int.MaxValue);

    /// <summary>The variables every match binds.</summary>
    IReadOnlyCollection<Var> Vars { get; }
}
