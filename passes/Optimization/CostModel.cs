using DyCompile.IR;
using DyCompile.Passes.EGraph;
using DyCompile.Passes.Rules;

namespace DyCompile.Passes.Optimization;

/// <summary>
/// The cost extraction minimizes. One op application costs
/// <c>FlopWeight · flops + ByteWeight · bytes + LaunchCost</c>, with flops and bytes from the IR
/// catalog's cost rules (<see cref="OpCatalog.Cost"/>); views (<see cref="OpDef.IsView"/>) launch
/// nothing and move nothing. A value that depends only on weights and constants is computed once
/// before any call, so its cost is scaled by <see cref="WeightOnlyFactor"/>. Leaves cost nothing.
/// Units are "flop equivalents": the defaults say a byte moved costs as much as a flop and a kernel
/// launch as much as 2000 flops — roughly a small GPU kernel's fixed overhead; tune per backend.
/// </summary>
public sealed record CostModel
{
    public static CostModel Default { get; } = new();

    public double FlopWeight { get; init; } = 1;

    public double ByteWeight { get; init; } = 1;

    public double LaunchCost { get; init; } = 2000;

    /// <summary>Scale for weight-only values: small but not zero, so needless weight preprocessing still loses.</summary>
    public double WeightOnlyFactor { get; init; } = 1e-3;

    /// <summary>Ops that reinterpret storage without moving data: by default the catalog's views (<see cref="OpDef.IsView"/>).</summary>
    public IReadOnlySet<string> ViewOps { get; init; } = OpCatalog.All.Where(op => op.IsView).Select(op => op.Name).ToHashSet();

    /// <summary>The cost of one application of <paramref name="op"/>.</summary>
    public double OfOp(string op, IReadOnlyList<IRType> operands, Attrs attrs, IReadOnlyList<IRType> results)
    {
        if (ViewOps.Contains(op)) return 0;
        var def = OpCatalog.Get(op);
        var cost = OpCatalog.Cost(op, operands, attrs, results);
        return FlopWeight * cost.Flops + ByteWeight * cost.Bytes + (def.Kind == OpKind.Tensor ? LaunchCost : 0);
    }

    /// <summary>The estimated cost of running a whole graph once.</summary>
    public double OfGraph(Graph graph)
    {
        var weightOnly = new HashSet<Value>(graph.Weights);
        var total = 0.0;
        foreach (var node in graph.Nodes)
        {
            if (node.Op == "const")
            {
                weightOnly.Add(node.Result);
                continue;
            }
            var cost = OfOp(node.Op, node.Operands.Select(v => v.Type).ToList(), node.Attrs, node.Results.Select(v => v.Type).ToList());
            if (node.Operands.Length > 0 && node.Operands.All(weightOnly.Contains))
            {
                cost *= WeightOnlyFactor;
                foreach (var r in node.Results) weightOnly.Add(r);
            }
            total += cost;
        }
        return total;
    }

    /// <summary>The node cost of an e-node of a tensor e-graph, for extraction.</summary>
    public Func<ENode, double> ForEGraph(EGraph<TensorData> egraph)
    {
        var memo = new Dictionary<ENode, double>();
        return node =>
        {
            if (memo.TryGetValue(node, out var known)) return known;
            double cost = 0;
            if (!TensorLanguage.IsLeaf(node.Op) && node.Op != TensorLanguage.ResultOp)
            {
                var operands = TensorLanguage.Operands(node).Select(c => egraph[c].Data).ToArray();
                var attrs = TensorLanguage.AttrsOf(egraph, node);
                var types = operands.Select(d => d.Type!).ToList();
                var results = OpCatalog.Infer(node.Op, types, attrs).Unwrap();
                cost = OfOp(node.Op, types, attrs, results);
                if (operands.Length > 0 && operands.All(d => d.WeightOnly)) cost *= WeightOnlyFactor;
            }
            memo[node] = cost;
            return cost;
        };
    }
}
