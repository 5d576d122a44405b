using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>gather, index_select, topk and embedding.</summary>
internal static class IndexingOps
{
    private static readonly DType[] IndexTypes = [DType.Int32, DType.Int64];

    public static IEnumerable<OpDef> Define()
    {
        yield return new OpDef { Name = "gather", Operands = ["x", "index"], Attributes = [AttrDef.Int("dim")], Rule = Gather };
        yield return new OpDef { Name = "index_select", Operands = ["x", "index"], Attributes = [AttrDef.Int("dim")], Rule = IndexSelect };
        yield return new OpDef
        {
            Name = "topk",
            Operands = ["x"],
            Attributes = [AttrDef.Int("k"), AttrDef.Int("dim"), AttrDef.Bool("largest")],
            ResultCount = 2,
            Rule = TopK,
            Cost = (call, results) => new(call.Tensor(0).ElementCount * (long)Math.Max(1, Math.Log2(Math.Max(2, call.Int("k")))), CostRules.Bytes(call, results)),
        };
        yield return new OpDef { Name = "embedding", Operands = ["indices", "weight"], Rule = Embedding };
    }

    private static IReadOnlyList<IRType> Gather(OpCall call)
    {
        TensorType x = call.Tensor(0), index = call.Tensor(1);
        call.RequireDType(index, "index", IndexTypes);
        var dim = call.Axis(call.Int("dim"), x.Rank);
        if (index.Rank != x.Rank)
            throw call.Fail($"index {index} must have the rank of x {x}");
        for (var d = 0; d < x.Rank; d++)
            if (d != dim && x.Shape[d] != TensorType.Dynamic && index.Shape[d] > x.Shape[d])
                throw call.Fail($"index {TensorType.FormatShape(index.Shape)} is larger than x {TensorType.FormatShape(x.Shape)} in dim {d}");
        return call.One(x.WithShape(index.Shape));
    }

    private static IReadOnlyList<IRType> IndexSelect(OpCall call)
    {
        TensorType x = call.Tensor(0), index = call.Tensor(1);
        call.RequireDType(index, "index", IndexTypes);
        var dim = call.Axis(call.Int("dim"), x.Rank);
        if (index.Rank > 1) throw call.Fail($"index must be 1-D (or 0-d), got {index}");
        var shape = x.Shape.ToArray();
        shape[dim] = index.Rank == 0 ? 1 : index.Shape[0];
        return call.One(x.WithShape(shape));
    }

    private static IReadOnlyList<IRType> TopK(OpCall call)
    {
        var x = call.Tensor(0);
        call.RequireDType(x, "x", DType.Float32, DType.Int32, DType.Int64);
        var k = call.Int("k");
        if (x.Rank == 0)
        {
            // A 0-d tensor is a 1-element vector for dim purposes; its top 1 is itself.
            call.Axis(call.Int("dim"), 1);
            if (k != 1) throw call.Fail($"k = {k} is out of range for a 0-d tensor");
            return [x, new TensorType(DType.Int64, [])];
        }
        var dim = call.Axis(call.Int("dim"), x.Rank);
        if (k < 0 || (x.Shape[dim] != TensorType.Dynamic && k > x.Shape[dim]))
            throw call.Fail($"k = {k} is out of range for dim {dim} of {x}");
        var shape = x.Shape.ToArray();
        shape[dim] = k;
        return [x.WithShape(shape), new TensorType(DType.Int64, shape)];
    }

    private static IReadOnlyList<IRType> Embedding(OpCall call)
    {
        TensorType indices = call.Tensor(0), weight = call.Tensor(1);
        call.RequireDType(indices, "indices", IndexTypes);
        if (weight.Rank != 2) throw call.Fail($"weight must be [count, dim], got {weight}");
        return call.One(weight.WithShape([.. indices.Shape, weight.Shape[1]]));
    }
}
