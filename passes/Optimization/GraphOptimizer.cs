using DyCompile.IR;
using DyCompile.Passes.EGraph;
using DyCompile.Passes.Hashing;
using DyCompile.Passes.Rules;

namespace DyCompile.Passes.Optimization;

/// <summary>
/// Simplifies a static dataflow graph by equality saturation: encode it in a tensor e-graph, run
/// the tensor rules under the runner's limits, extract the cheapest equivalent under the
/// <see cref="CostModel"/> (DAG-aware: a shared value is paid once), and write it back as a graph.
/// The result is never costlier than the input (the input is returned when extraction cannot beat it).
/// With <see cref="OptimizerOptions.SelfCheck"/> the result is run against the original on sampled
/// inputs; a mismatch throws <see cref="OptimizerSelfCheckException"/> naming the rules applied.
/// </summary>
/// <example><code>
/// var (optimized, report) = GraphOptimizer.Optimize(graph, new OptimizerOptions { Weights = weights });
/// Console.WriteLine(report);   // cost, iterations, stop reason, rules fired
/// </code></example>
public static class GraphOptimizer
{
    /// <summary>Tolerance of the self-check: results may differ by accumulated rounding only.</summary>
    public const double SelfCheckRelative = 1e-3, SelfCheckAbsolute = 1e-4;

    public static OptimizationResult Optimize(Graph graph, OptimizerOptions? options = null)
    {
        options ??= new OptimizerOptions();
        var depth = GraphDepth.Of(graph);
        if (depth > options.DepthLimit) return Unoptimized(graph, options, $"the graph is {depth} ops deep, more than OptimizerOptions.DepthLimit ({options.DepthLimit})");
        // Extraction and checking recurse as deep as the graph: deep graphs get a stack of their own.
        return DedicatedStack.ForDepth(depth, () =>
        {
            var result = Run(graph, options);
            return options.SelfCheck && Check(graph, result, options) ? result with { Report = result.Report with { SelfChecked = true } } : result;
        });
    }

    private static OptimizationResult Unoptimized(Graph graph, OptimizerOptions options, string why)
    {
        var cost = options.CostModel.OfGraph(graph);
        return new OptimizationResult(graph, new OptimizationReport(new Dictionary<string, int>(), 0, 0, 0, StopReason.NodeLimit, cost, cost, false) { Skipped = why });
    }

    private static OptimizationResult Run(Graph graph, OptimizerOptions options)
    {
        var encoding = GraphEncoding.Encode(graph, new TensorAnalysis(options.Weights, options.MaxFoldElements));
        var egraph = encoding.EGraph;
        var runner = new Runner<TensorData>(egraph)
        {
            IterationLimit = options.IterationLimit,
            NodeLimit = options.NodeLimit,
            TimeLimit = options.TimeLimit,
        };
        var stop = runner.Run(options.EffectiveRules.Select(r => r.ToRewrite()));
        var fired = runner.Iterations
            .SelectMany(i => i.Applied)
            .Where(kv => kv.Value > 0)
            .GroupBy(kv => kv.Key)
            .ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));

        var extraction = new DagExtractor<TensorData>(egraph, options.CostModel.ForEGraph(egraph), options.ExtractionBudget).Extract([.. encoding.Outputs]);
        var optimized = encoding.Decode(id => extraction.Choices[egraph.Find(id)]);
        double before = options.CostModel.OfGraph(graph), after = options.CostModel.OfGraph(optimized);
        if (after > before)
        {
            optimized = graph;
            after = before;
        }
        var report = new OptimizationReport(fired, egraph.NodeCount, egraph.ClassCount, runner.Iterations.Count, stop, before, after, extraction.IsExact);
        return new OptimizationResult(optimized, report);
    }

    /// <summary>True when the check ran and passed; false when the original cannot run on the sampled inputs.</summary>
    private static bool Check(Graph original, OptimizationResult result, OptimizerOptions options)
    {
        string? difference;
        try
        {
            difference = Mismatch(original, result.Graph, options);
        }
        catch (InterpreterException e)
        {
            // E.g. an index input: sampled indices may be out of range. Nothing to compare against.
            if (!CanRun(original, options)) return false;
            difference = $"the optimized graph fails where the original runs: {e.Message}";
        }
        if (difference is null) return true;
        var applied = result.Report.RulesFired.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        // Which rules break the graph on their own: rerun with each alone (self-check off).
        var suspects = options.EffectiveRules
            .Where(r => applied.Contains(r.Name))
            .Where(r => Differs(original, Run(original, options with { Rules = [r], SelfCheck = false }).Graph, options))
            .Select(r => r.Name)
            .ToArray();
        throw new OptimizerSelfCheckException(original.Name, difference, applied, suspects);
    }

    private static bool Differs(Graph original, Graph optimized, OptimizerOptions options)
    {
        try
        {
            return Mismatch(original, optimized, options) is not null;
        }
        catch (InterpreterException)
        {
            return true;
        }
    }

    private static bool CanRun(Graph graph, OptimizerOptions options)
    {
        try
        {
            new FunctionalHasher().Evaluate(graph, SampleSet.Primary, options.Weights);
            return true;
        }
        catch (InterpreterException)
        {
            return false;
        }
    }

    private static string? Mismatch(Graph original, Graph optimized, OptimizerOptions options)
    {
        if (ReferenceEquals(original, optimized)) return null;
        var hasher = new FunctionalHasher();
        var expected = hasher.Evaluate(original, SampleSet.Primary, options.Weights);
        var actual = hasher.Evaluate(optimized, SampleSet.Primary, options.Weights);
        return OutputComparison.Difference(expected, actual, SelfCheckRelative, SelfCheckAbsolute);
    }
}
