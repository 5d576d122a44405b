using BenchmarkDotNet.Attributes;
using DyCompile.IR;
using DyCompile.Passes.Optimization;
using DyCompile.Runtime;

namespace DyCompile.Benchmarks;

/// <summary>
/// Time of one <see cref="GraphOptimizer.Optimize"/> call (encode, saturate under the default
/// limits, extract, decode) on each sample graph. The self-check is off: it runs the graphs on
/// sampled inputs, which is testing, not optimizing.
/// </summary>
public class OptimizerBenchmarks
{
    private Graph _graph = null!;
    private OptimizerOptions _options = null!;

    [Params(SampleGraph.MatMulChain, SampleGraph.ConvBatchNormRelu, SampleGraph.Mlp8, SampleGraph.DoubleTranspose)]
    public SampleGraph Graph { get; set; }

    [GlobalSetup]
    public void Setup() => (_graph, _options) = Prepare(Graph);

    [Benchmark]
    public OptimizationResult Optimize() => GraphOptimizer.Optimize(_graph, _options);

    public static (Graph Graph, OptimizerOptions Options) Prepare(SampleGraph which)
    {
        var (graph, weights) = SampleGraphs.Build(which);
        return (graph, new OptimizerOptions { Weights = weights, SelfCheck = false });
    }
}
