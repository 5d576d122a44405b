using DyCompile.IR;

namespace DyCompile.Passes.Optimization;

/// <summary>The depth of a dataflow graph: the most ops on one path from an input, weight or
/// constant to an output. The e-graph's extraction walks a graph as deep as this, so the
/// optimizer sizes its stack by it.</summary>
public static class GraphDepth
{
    /// <summary>Computed in one pass over the nodes, which a graph lists operands first.</summary>
    public static int Of(Graph graph)
    {
        var depth = new Dictionary<Value, int>();
        var deepest = 0;
        foreach (var node in graph.Nodes)
        {
            var d = 1;
            foreach (var operand in node.Operands)
                if (depth.TryGetValue(operand, out var o) && o + 1 > d) d = o + 1;
            foreach (var result in node.Results) depth[result] = d;
            if (d > deepest) deepest = d;
        }
        return deepest;
    }
}
