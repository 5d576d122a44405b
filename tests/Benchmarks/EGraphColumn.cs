using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DyCompile.Benchmarks;

/// <summary>What an <see cref="EGraphColumn"/> shows.</summary>
public enum EGraphMeasure
{
    /// <summary>E-nodes the run added to the hashcons.</summary>
    NodesAdded,

    /// <summary>E-nodes added per second of the mean benchmark time.</summary>
    NodesPerSecond,

    /// <summary>Share of the run spent in the runner's rebuilds (its per-iteration statistics).</summary>
    RebuildShare,
}

/// <summary>
/// Columns for <see cref="EGraphBenchmarks"/>. The node count is deterministic, so it is taken
/// from a run in the reporting process; the rebuild share is that of three such runs (the
/// measured runs happen in another process and cannot hand back their statistics).
/// </summary>
public sealed class EGraphColumn(EGraphMeasure measure) : IColumn
{
    private static readonly Dictionary<(BlowUpWorkload, int), (int Nodes, double RebuildShare)> Measured = [];

    public string Id => "EGraph" + measure;

    public string ColumnName => measure switch
    {
        EGraphMeasure.NodesAdded => "e-nodes added",
        EGraphMeasure.NodesPerSecond => "e-nodes/s",
        _ => "rebuild %",
    };

    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 10 + (int)measure;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => measure switch
    {
        EGraphMeasure.NodesAdded => "e-nodes added to the hashcons by one run",
        EGraphMeasure.NodesPerSecond => "e-nodes added per second of the mean time",
        _ => "sum of the runner's rebuild times over the run's total time, mean of three runs",
    };

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(EGraphBenchmarks)) return "-";
        var workload = (BlowUpWorkload)benchmarkCase.Parameters[nameof(EGraphBenchmarks.Workload)]!;
        var symbols = (int)benchmarkCase.Parameters[nameof(EGraphBenchmarks.Symbols)]!;
        var (nodes, rebuildShare) = Measure(workload, symbols);
        var stats = summary[benchmarkCase]?.ResultStatistics;
        return measure switch
        {
            EGraphMeasure.NodesAdded => $"{nodes}",
            EGraphMeasure.NodesPerSecond => stats is null ? "-" : $"{nodes / (stats.Mean * 1e-9):N0}",
            _ => $"{100 * rebuildShare:F1}%",
        };
    }

    private static (int Nodes, double RebuildShare) Measure(BlowUpWorkload workload, int symbols)
    {
        lock (Measured)
        {
            if (!Measured.TryGetValue((workload, symbols), out var measured))
            {
                var runs = Enumerable.Range(0, 3).Select(_ => ArithmeticBlowUp.Run(workload, symbols)).ToArray();
                measured = (runs[0].NodesAdded, runs.Average(r => r.RebuildShare));
                Measured[(workload, symbols)] = measured;
            }
            return measured;
        }
    }
}
