using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>matmul (torch.matmul semantics) and linear.</summary>
internal static class LinearAlgebraOps
{
    public static IEnumerable<OpDef> Define()
    {
        yield return new OpDef { Name = "matmul", Operands = ["a", "b"], Onnx = new("MatMul"), Rule = MatMul, Cost = MatMulCost };
        yield return new OpDef { Name = "linear", Operands = ["x", "weight", "bias"], Rule = Linear, Cost = LinearCost };
    }

    private static IReadOnlyList<IRType> MatMul(OpCall call)
    {
        TensorType a = call.Tensor(0), b = call.Tensor(1);
        call.RequireDType(a, "a", DType.Float32);
        call.RequireDType(b, "b", DType.Float32);
        if (a.Rank == 0 || b.Rank == 0) throw call.Fail($"operands must have rank >= 1: {a} and {b}");
        // 1-D operands are promoted to a matrix and the promoted dimension is dropped again.
        int[] sa = a.Rank == 1 ? [1, a.Shape[0]] : [.. a.Shape];
        int[] sb = b.Rank == 1 ? [b.Shape[0], 1] : [.. b.Shape];
        if (!OpCall.DimsAgree(sa[^1], sb[^2]))
            throw call.Fail($"inner dimensions differ: {TensorType.FormatShape(a.Shape)} @ {TensorType.FormatShape(b.Shape)}");
        var batch = call.Broadcast(sa[..^2], sb[..^2]);
        var shape = batch.ToList();
        if (a.Rank > 1) shape.Add(sa[^2]);
        if (b.Rank > 1) shape.Add(sb[^1]);
        return call.One(new TensorType(a.DType, shape));
    }

    private static OpCost MatMulCost(OpCall call, IReadOnlyList<IRType> results)
    {
        var k = Math.Max(1, call.Tensor(0).Shape[^1]);
        return new(2 * k * CostRules.ResultElements(results), CostRules.Bytes(call, results));
    }

    private static IReadOnlyList<IRType> Linear(OpCall call)
    {
        TensorType x = call.Tensor(0), w = call.Tensor(1), bias = call.Tensor(2);
        call.RequireDType(x, "x", DType.Float32);
        call.RequireDType(w, "weight", DType.Float32);
        call.RequireDType(bias, "bias", DType.Float32);
        if (x.Rank < 1 || w.Rank != 2 || bias.Rank != 1)
            throw call.Fail($"expects x [..., in], weight [out, in], bias [out]; got {x}, {w}, {bias}");
        if (!OpCall.DimsAgree(x.Shape[^1], w.Shape[1]) || !OpCall.DimsAgree(bias.Shape[0], w.Shape[0]))
            throw call.Fail($"shapes do not match: x {TensorType.FormatShape(x.Shape)}, weight {TensorType.FormatShape(w.Shape)}, bias {TensorType.FormatShape(bias.Shape)}");
        return call.One(x.WithShape([.. x.Shape[..^1], w.Shape[0]]));
    }

    private static OpCost LinearCost(OpCall call, IReadOnlyList<IRType> results)
    {
        var inFeatures = Math.Max(1, call.Tensor(1).Shape[1]);
        return new((2 * inFeatures + 1) * CostRules.ResultElements(results), CostRules.Bytes(call, results));
    }
}
