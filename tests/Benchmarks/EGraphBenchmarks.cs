using BenchmarkDotNet.Attributes;
using DyCompile.Passes.EGraph;

namespace DyCompile.Benchmarks;

/// <summary>
/// E-graph throughput: one benchmark invocation builds the e-graph for the starting term and runs
/// the rules until saturation or <see cref="ArithmeticBlowUp.NodeLimit"/>. The e-nodes/s and
/// rebuild-share columns (<see cref="EGraphColumn"/>) come from the same workload.
/// </summary>
public class EGraphBenchmarks
{
    [Params(BlowUpWorkload.Sum, BlowUpWorkload.Distribute)]
    public BlowUpWorkload Workload { get; set; }

    [Params(5, 6, 7)]
    public int Symbols { get; set; }

    [Benchmark]
    public StopReason Saturate() => ArithmeticBlowUp.Run(Workload, Symbols).Stop;
}
