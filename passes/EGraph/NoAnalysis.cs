namespace DyCompile.Passes.EGraph;

/// <summary>The data of an e-graph with no analysis.</summary>
public readonly record struct NoData;

/// <summary>The analysis that computes nothing.</summary>
public sealed class NoAnalysis : IAnalysis<NoData>
{
    public static readonly NoAnalysis Instance = new();

    public NoData Make(EGraph<NoData> egraph, ENode node) => default;

    public MergeResult Merge(ref NoData into, NoData from) => default;
}
