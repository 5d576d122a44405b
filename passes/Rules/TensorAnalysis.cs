using DyCompile.IR;
using DyCompile.Passes.EGraph;
using DyCompile.Runtime;

namespace DyCompile.Passes.Rules;

/// <summary>
/// The e-class analysis of the tensor language: type inference through the <see cref="OpCatalog"/>,
/// constant folding by the reference kernels (so a folded value is exactly what the op computes),
/// weight-only tracking and value bounds. Folding also covers weights whose values are given.
/// </summary>
public sealed class TensorAnalysis(IReadOnlyDictionary<string, Tensor>? weightValues = null, long maxFoldElements = 1 << 20) : IAnalysis<TensorData>
{
    private readonly IReadOnlyDictionary<string, Tensor> _weightValues = weightValues ?? new Dictionary<string, Tensor>();

    /// <summary>Constants larger than this many elements are not materialized by folding.</summary>
    public long MaxFoldElements { get; } = maxFoldElements;

    public TensorData Make(EGraph<TensorData> egraph, ENode node)
    {
        switch (node.Op)
        {
            case TensorLanguage.AttrsOp:
                return new TensorData { Attrs = (Attrs)node.Payload!, WeightOnly = true };
            case TensorLanguage.InputOp:
                return new TensorData { Type = ((LeafValue)node.Payload!).Type };
            case TensorLanguage.WeightOp:
            {
                var leaf = (LeafValue)node.Payload!;
                var known = _weightValues.TryGetValue(leaf.Name, out var t) && leaf.Type is TensorType tt && tt.Accepts(t.DType, t.Shape)
                    ? ConstValue.Of(t) : null;
                return WithBounds(new TensorData { Type = leaf.Type, WeightOnly = true, Constant = known });
            }
            case TensorLanguage.ConstOp:
            {
                var c = (ConstValue)node.Payload!;
                return WithBounds(new TensorData { Type = c.Type, Constant = c, WeightOnly = true });
            }
            case TensorLanguage.ResultOp:
            {
                var tuple = egraph[node.Children[0]].Data;
                var index = (int)node.Payload!;
                return new TensorData { Type = tuple.TupleTypes[index], WeightOnly = tuple.WeightOnly };
            }
        }
        var operands = TensorLanguage.Operands(node).Select(c => egraph[c].Data).ToArray();
        var attrs = TensorLanguage.AttrsOf(egraph, node);
        var types = OpCatalog.Infer(node.Op, operands.Select(d => d.Type ?? throw new InvalidOperationException($"{node.Op}: an operand has no type")).ToList(), attrs).Unwrap();
        var weightOnly = operands.All(d => d.WeightOnly);
        if (types.Count != 1 || OpCatalog.Get(node.Op).ResultCount != 1)
            return new TensorData { TupleTypes = [.. types], WeightOnly = weightOnly };
        var data = new TensorData { Type = types[0], WeightOnly = weightOnly, Constant = Fold(node.Op, attrs, operands, types[0]) };
        if (data.Constant is not null) return WithBounds(data);
        var (lo, hi) = ValueBounds.Of(node.Op, attrs, operands);
        return data with { Lo = lo, Hi = hi };
    }

    private ConstValue? Fold(string op, Attrs attrs, TensorData[] operands, IRType type)
    {
        if (type is not TensorType t || !t.IsStatic || t.ElementCount > MaxFoldElements) return null;
        if (operands.Length == 0 || operands.Any(d => d.Constant is null || d.Type is not TensorType)) return null;
        if (!KernelRegistry.TryGet(op, out var kernel)) return null;
        try
        {
            var results = kernel.Invoke(operands.Select(d => (Tensor)d.Constant!.ToValue()).ToList(), attrs);
            return results.Count == 1 && results[0] is Tensor r ? ConstValue.Of(r) : null;
        }
        catch (Exception e) when (e is TensorOpException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            // The kernel refuses these values (e.g. an index out of range): leave it to run time.
            return null;
        }
    }

    private static TensorData WithBounds(TensorData data)
    {
        if (data.Constant is null || data.Constant.Payload.Values.Length == 0) return data;
        var finite = data.Constant.Payload.Values.Where(v => !double.IsNaN(v)).ToArray();
        return finite.Length == 0 ? data : data with { Lo = finite.Min(), Hi = finite.Max() };
    }

    public MergeResult Merge(ref TensorData into, TensorData from)
    {
        if (into.Type is not null && from.Type is not null && into.Type != from.Type)
            throw new InvalidOperationException($"a rewrite merged values of different types: {into.Type} and {from.Type}");
        var merged = new TensorData
        {
            Type = into.Type ?? from.Type,
            TupleTypes = into.TupleTypes.IsEmpty ? from.TupleTypes : into.TupleTypes,
            Attrs = into.Attrs ?? from.Attrs,
            Constant = into.Constant ?? from.Constant,
            WeightOnly = into.WeightOnly || from.WeightOnly,
            // Both bounds hold for the one value, so their intersection does too.
            Lo = Math.Max(into.Lo, from.Lo),
            Hi = Math.Min(into.Hi, from.Hi),
        };
        var result = new MergeResult(!merged.Equals(into), !merged.Equals(from));
        into = merged;
        return result;
    }

    /// <summary>A class with a known value gains a <c>const</c> node, unless it is a leaf already.</summary>
    public void Modify(EGraph<TensorData> egraph, EClassId id)
    {
        var eclass = egraph[id];
        if (eclass.Data.Constant is not { } c || eclass.Data.Type is not TensorType) return;
        if (eclass.Nodes.Any(n => TensorLanguage.IsLeaf(n.Op))) return;
        var constant = egraph.Add(new ENode(TensorLanguage.ConstOp, c));
        egraph.Union(id, constant);
    }
}
