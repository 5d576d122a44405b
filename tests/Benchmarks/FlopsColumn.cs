using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DyCompile.Benchmarks;

/// <summary>Benchmarks whose work is a known number of floating-point operations.</summary>
public interface IFlopCounted
{
    /// <summary>Flops of one invocation of the benchmark method with the current parameters.</summary>
    double Flops(string method);
}

/// <summary>GFLOP/s and percent of <see cref="MachinePeak"/> from the mean time, for
/// benchmarks implementing <see cref="IFlopCounted"/>.</summary>
public sealed class FlopsColumn(bool percentOfPeak) : IColumn
{
    public string Id => percentOfPeak ? "PercentPeak" : "GFlops";
    public string ColumnName => percentOfPeak ? "% peak" : "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => percentOfPeak ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => percentOfPeak ? $"GFLOP/s as a percentage of {MachinePeak.Describe()}" : "10^9 floating-point operations per second";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var gflops = GFlopsOf(summary, benchmarkCase);
        if (gflops is not { } g) return "-";
        return percentOfPeak ? $"{100 * g / MachinePeak.GFlops:F1}%" : $"{g:F1}";
    }

    public static double? GFlopsOf(Summary summary, BenchmarkCase benchmarkCase)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IFlopCounted counted) return null;
        foreach (var parameter in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(parameter.Name)?.SetValue(counted, parameter.Value);
        var flops = counted.Flops(benchmarkCase.Descriptor.WorkloadMethod.Name);
        return flops <= 0 ? null : flops / stats.Mean; // flop per ns = GFLOP/s
    }
}
