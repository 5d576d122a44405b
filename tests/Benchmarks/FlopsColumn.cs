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

/// <summary>What a <see cref="FlopsColumn"/> shows.</summary>
public enum FlopsMeasure
{
    /// <summary>GFLOP/s from the mean time.</summary>
    Mean,

    /// <summary>GFLOP/s from the fastest iteration: what the code reaches when the cores are
    /// not shared with other work.</summary>
    Best,

    /// <summary>The best GFLOP/s as a percentage of <see cref="MachinePeak"/>.</summary>
    BestPercentOfPeak,
}

/// <summary>GFLOP/s and percent of <see cref="MachinePeak"/> for benchmarks implementing
/// <see cref="IFlopCounted"/>.</summary>
public sealed class FlopsColumn(FlopsMeasure measure) : IColumn
{
    public string Id => "Flops" + measure;

    public string ColumnName => measure switch
    {
        FlopsMeasure.Mean => "GFLOP/s",
        FlopsMeasure.Best => "best GFLOP/s",
        _ => "best % peak",
    };

    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => (int)measure;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => measure switch
    {
        FlopsMeasure.Mean => "10^9 floating-point operations per second, from the mean time",
        FlopsMeasure.Best => "GFLOP/s from the fastest iteration",
        _ => $"best GFLOP/s as a percentage of {MachinePeak.Describe()}",
    };

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        var flops = FlopsOf(benchmarkCase);
        if (stats is null || flops is not { } f) return "-";
        return measure switch
        {
            FlopsMeasure.Mean => $"{f / stats.Mean:F1}", // flop per ns = GFLOP/s
            FlopsMeasure.Best => $"{f / stats.Min:F1}",
            _ => $"{100 * f / stats.Min / MachinePeak.GFlops:F1}%",
        };
    }

    private static double? FlopsOf(BenchmarkCase benchmarkCase)
    {
        if (Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IFlopCounted counted) return null;
        foreach (var parameter in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(parameter.Name)?.SetValue(counted, parameter.Value);
        var flops = counted.Flops(benchmarkCase.Descriptor.WorkloadMethod.Name);
        return flops > 0 ? flops : null;
    }
}
