using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Passes.Preparation;

/// <summary>A segment split into the nodes that read only weights and tensor constants (folded
/// batch-norm scales, conv weights times a scale, weight transposes and reshapes) and the rest.
/// The first depend on nothing a call passes, so the generated code computes them once per call
/// site rather than on every call; the code stays shared by call sites with other weights because
/// the results are kept per set of weight tensors, not baked into the code.</summary>
public sealed class WeightPreparation
{
    private WeightPreparation(Graph perCall, IReadOnlyList<Node> nodes, IReadOnlyList<Value> derived, IReadOnlyList<int> weightPositions)
    {
        PerCall = perCall;
        Nodes = nodes;
        Derived = derived;
        WeightPositions = weightPositions;
    }

    /// <summary>The segment without the prepared nodes; their results that it reads are listed
    /// among its weights after the segment's own.</summary>
    public Graph PerCall { get; }

    /// <summary>The weight-only nodes, in program order.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>Results of <see cref="Nodes"/> that the per-call nodes read.</summary>
    public IReadOnlyList<Value> Derived { get; }

    /// <summary>Positions in the segment's weight list of the weights <see cref="Nodes"/> read.</summary>
    public IReadOnlyList<int> WeightPositions { get; }

    /// <summary>On unless the environment variable <c>DYCOMPILE_PREPARE_WEIGHTS</c> is <c>0</c>
    /// (to measure what preparation saves).</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("DYCOMPILE_PREPARE_WEIGHTS") != "0";

    public static WeightPreparation Split(Graph graph)
    {
        if (!Enabled) return new WeightPreparation(graph, [], [], []);
        var weightOnly = new HashSet<Value>(graph.Weights);
        foreach (var node in graph.Nodes)
            if (node.Op == "const" && node.Result.Type is TensorType) weightOnly.Add(node.Result);
        var outputs = graph.Outputs.ToHashSet();
        var prepared = new List<Node>();
        foreach (var node in graph.Nodes)
        {
            if (!IsPreparable(node, outputs) || !node.Operands.All(weightOnly.Contains)) continue;
            prepared.Add(node);
            weightOnly.UnionWith(node.Results);
        }
        if (prepared.Count == 0) return new WeightPreparation(graph, [], [], []);
        var preparedSet = prepared.ToHashSet();
        var perCallNodes = graph.Nodes.Where(n => !preparedSet.Contains(n)).ToList();
        var produced = prepared.SelectMany(n => n.Results).ToHashSet();
        var derived = perCallNodes.SelectMany(n => n.Operands).Where(produced.Contains).Distinct().ToList();
        var read = prepared.SelectMany(n => n.Operands).ToHashSet();
        var positions = Enumerable.Range(0, graph.Weights.Length).Where(k => read.Contains(graph.Weights[k])).ToList();
        var perCall = new Graph(graph.Name, graph.Inputs, graph.Weights.Concat(derived), perCallNodes, graph.Outputs);
        return new WeightPreparation(perCall, prepared, derived, positions);
    }

    /// <summary>A tensor op with an eager kernel, tensor results and no effects, whose results are
    /// not segment outputs (an output is written into the caller's destination on each call).</summary>
    private static bool IsPreparable(Node node, HashSet<Value> outputs) =>
        node.Def is { Kind: OpKind.Tensor }
        && node.Op != "host.call"
        && node.Operands.Length > 0
        && node.Results.Length > 0
        && node.Results.All(r => r.Type is TensorType && !outputs.Contains(r))
        && KernelRegistry.TryGet(node.Op, out _);
}
