using DyCompile.IR;
using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Rules;

/// <summary>
/// A dataflow <see cref="Graph"/> put into a tensor e-graph: each value becomes a class (inputs,
/// weights and constants as leaves), and <see cref="Outputs"/> are the classes of the outputs.
/// </summary>
/// <example><code>
/// var enc = GraphEncoding.Encode(graph, new TensorAnalysis());
/// // ... run rules on enc.EGraph ...
/// var back = enc.Decode(id => enc.EGraph[id].Nodes[0]);
/// </code></example>
public sealed class GraphEncoding
{
    private GraphEncoding(Graph source, EGraph<TensorData> egraph, IReadOnlyList<EClassId> outputs, IReadOnlyDictionary<Value, EClassId> classes)
    {
        Source = source;
        EGraph = egraph;
        Outputs = outputs;
        Classes = classes;
    }

    public Graph Source { get; }

    public EGraph<TensorData> EGraph { get; }

    public IReadOnlyList<EClassId> Outputs { get; }

    /// <summary>The class of every value of the source graph (ids as added; use Find after unions).</summary>
    public IReadOnlyDictionary<Value, EClassId> Classes { get; }

    public static GraphEncoding Encode(Graph graph, TensorAnalysis analysis)
    {
        var egraph = new EGraph<TensorData>(analysis, TensorLanguage.Language);
        var classes = new Dictionary<Value, EClassId>();
        foreach (var input in graph.Inputs)
            classes[input] = egraph.Add(new ENode(TensorLanguage.InputOp, new LeafValue(input.Name, input.Type)));
        foreach (var weight in graph.Weights)
            classes[weight] = egraph.Add(new ENode(TensorLanguage.WeightOp, new LeafValue(weight.Name, weight.Type)));
        foreach (var node in graph.Nodes)
        {
            if (node.Op == "const")
            {
                classes[node.Result] = egraph.Add(new ENode(TensorLanguage.ConstOp, new ConstValue(node.Result.Type, node.Payload!)));
                continue;
            }
            var operands = node.Operands.Select(v => classes.TryGetValue(v, out var id) ? id
                : throw new ArgumentException($"graph @{graph.Name}: {v.Ref} is used before it is defined")).ToArray();
            var id = TensorLanguage.AddOp(egraph, node.Op, node.Attrs, operands);
            if (node.Results.Length == 1 && OpCatalog.Get(node.Op).ResultCount == 1)
            {
                classes[node.Result] = id;
                continue;
            }
            for (var i = 0; i < node.Results.Length; i++)
                classes[node.Results[i]] = egraph.Add(new ENode(TensorLanguage.ResultOp, i, [id]));
        }
        var outputs = graph.Outputs.Select(v => classes[v]).ToArray();
        egraph.Rebuild();
        return new GraphEncoding(graph, egraph, outputs, classes);
    }

    /// <summary>The graph that computes the outputs through the node <paramref name="choose"/> picks for each class.</summary>
    public Graph Decode(Func<EClassId, ENode> choose, string? name = null)
    {
        var writer = new GraphWriter(EGraph, Source, choose);
        var outputs = Outputs.Select(writer.Emit).ToArray();
        return writer.Build(outputs, name);
    }
}
