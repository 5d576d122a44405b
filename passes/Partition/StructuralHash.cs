using System.Globalization;
using System.Text;
using DyCompile.IR;

namespace DyCompile.Passes.Partition;

/// <summary>Canonical form of a segment graph: inputs renamed <c>%i0..</c>, weights <c>@w0..</c>,
/// node results <c>%v0..</c> in order; op, attributes, constant payloads and types are kept.
/// Two segments with the same canonical text compute the same function of their positional
/// inputs and weights, so one compiled body serves both.</summary>
public static class StructuralHash
{
    public static Graph Canonicalize(Graph graph)
    {
        var map = new Dictionary<Value, Value>();
        Value Rename(Value v, string name, ValueKind kind) => map[v] = new Value(name, v.Type, kind);
        var inputs = graph.Inputs.Select((v, i) => Rename(v, "i" + i, ValueKind.Parameter)).ToList();
        var weights = graph.Weights.Select((v, i) => Rename(v, "w" + i, ValueKind.Weight)).ToList();
        var counter = 0;
        var nodes = graph.Nodes.Select(n =>
        {
            var operands = n.Operands.Select(v => map[v]).ToList();
            var results = n.Results.Select(r => Rename(r, "v" + counter++, ValueKind.Result)).ToList();
            return new Node(n.Op, operands, n.Attrs, results, n.Payload);
        }).ToList();
        return new Graph("segment", inputs, weights, nodes, graph.Outputs.Select(v => map[v]));
    }

    public static string Key(Graph canonical) => IRPrinter.Print(canonical.ToProgram());

    public static string Hex(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }
}
