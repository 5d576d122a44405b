using DyCompile.IR;

namespace DyCompile.Passes.Hashing;

/// <summary>
/// A graph's structural hash: ops, attributes, constant payloads, result types and the edges
/// between them, with inputs identified by position and weights by name — value names do not
/// matter. Equal for graphs written identically up to renaming; cheap, but blind to equal
/// functions written differently (that is the functional hash's job).
/// </summary>
public static class StructuralHasher
{
    public static ulong Hash(Graph graph)
    {
        var hashes = new Dictionary<Value, ulong>();
        for (var i = 0; i < graph.Inputs.Length; i++) hashes[graph.Inputs[i]] = Leaf("input", i.ToString(System.Globalization.CultureInfo.InvariantCulture), graph.Inputs[i].Type);
        foreach (var w in graph.Weights) hashes[w] = Leaf("weight", w.Name, w.Type);
        foreach (var node in graph.Nodes)
        {
            var h = new StableHash();
            h.Add(node.Op);
            foreach (var (name, value) in node.Attrs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                h.Add(name);
                h.Add(value.ToString() ?? "");
            }
            if (node.Payload is { } payload)
                foreach (var v in payload.Values) h.Add(BitConverter.DoubleToInt64Bits(v));
            foreach (var operand in node.Operands) h.Add(hashes.TryGetValue(operand, out var oh) ? oh : Leaf("free", operand.Name, operand.Type));
            for (var i = 0; i < node.Results.Length; i++)
            {
                var r = h;
                r.Add(i);
                r.Add(node.Results[i].Type.ToString());
                hashes[node.Results[i]] = r.Value;
            }
        }
        var total = new StableHash();
        total.Add(graph.Outputs.Length);
        foreach (var o in graph.Outputs) total.Add(hashes[o]);
        return total.Value;
    }

    private static ulong Leaf(string kind, string name, IRType type)
    {
        var h = new StableHash();
        h.Add(kind);
        h.Add(name);
        h.Add(type.ToString());
        return h.Value;
    }
}
