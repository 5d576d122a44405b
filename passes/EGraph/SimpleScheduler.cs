namespace DyCompile.Passes.EGraph;

/// <summary>Applies every match of every rule in every iteration.</summary>
public sealed class SimpleScheduler<TData> : IRewriteScheduler<TData>
{
    public IReadOnlyList<SearchMatches> Search(int iteration, EGraph<TData> egraph, Rewrite<TData> rule) =>
        rule.Search(egraph);

    public bool CanStop(int iteration) => true;
}
