using DyCompile.IR;
using DyCompile.Passes.Optimization;

namespace DyCompile.Passes.Partition;

/// <summary>Runs a segment's graph through the e-graph optimizer before it is compiled. Weights
/// are not given to the optimizer on purpose: a distinct segment serves every call site with the
/// same structure (a repeated layer with other weights), so rewrites may only use the structure,
/// never one call site's weight values.</summary>
public static class SegmentOptimizer
{
    /// <summary>The optimized graph with the same inputs and outputs (positionally; outputs keep
    /// their names, so dumps read like the program); weights it no longer reads are dropped. The
    /// graph itself when the optimizer finds nothing cheaper, when it has side effects the optimizer
    /// could drop (<c>host.call</c>), or when the result would forward an input or weight straight
    /// to an output or merge two outputs, which the segment calling convention does not express.</summary>
    public static (Graph Graph, OptimizationReport? Report) Optimize(Graph graph, OptimizerOptions options)
    {
        if (graph.Nodes.Length == 0 || graph.Nodes.Any(HasEffects)) return (graph, null);
        var (optimized, report) = GraphOptimizer.Optimize(graph, options);
        if (ReferenceEquals(optimized, graph) || report.CostAfter >= report.CostBefore) return (graph, report);
        var boundary = optimized.Inputs.Concat(optimized.Weights).ToHashSet();
        if (optimized.Outputs.Any(boundary.Contains) || optimized.Outputs.Distinct().Count() != optimized.Outputs.Length)
            return (graph, null);
        return (WithOutputNames(optimized, graph), report);
    }

    /// <summary><paramref name="optimized"/> with its outputs renamed like those of <paramref name="original"/>
    /// (other values are fresh <c>%vN</c> names, which never clash with program names of that form
    /// because the writer skips names of the inputs and weights only; so a clash is checked).</summary>
    private static Graph WithOutputNames(Graph optimized, Graph original)
    {
        var taken = optimized.Nodes.SelectMany(n => n.Results).Concat(optimized.Inputs).Concat(optimized.Weights).Select(v => v.Name).ToHashSet();
        var renamed = new Dictionary<Value, Value>();
        for (var i = 0; i < original.Outputs.Length; i++)
        {
            var from = optimized.Outputs[i];
            var name = original.Outputs[i].Name;
            if (from.Name == name || taken.Contains(name)) continue;
            renamed[from] = new Value(name, from.Type, ValueKind.Result);
            taken.Add(name);
        }
        Value Map(Value v) => renamed.TryGetValue(v, out var r) ? r : v;
        var nodes = optimized.Nodes.Select(n => new Node(n.Op, n.Operands.Select(Map), n.Attrs, n.Results.Select(Map), n.Payload));
        return new Graph(original.Name, original.Inputs, optimized.Weights, nodes, optimized.Outputs.Select(Map));
    }

    private static bool HasEffects(Node node) => node.Op == "host.call" || node.Results.Length == 0;
}
