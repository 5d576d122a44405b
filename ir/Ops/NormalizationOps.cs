using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>batch_norm, layer_norm, softmax and log_softmax.</summary>
internal static class NormalizationOps
{
    public static IEnumerable<OpDef> Define()
    {
        yield return new OpDef
        {
            Name = "batch_norm",
            Operands = ["input", "runningMean", "runningVar", "weight", "bias"],
            Attributes = [AttrDef.Float("eps")],
            Rule = BatchNorm,
            Cost = CostRules.PerResultElement(4),
        };
        yield return new OpDef
        {
            Name = "layer_norm",
            Operands = ["input", "weight", "bias"],
            Attributes = [AttrDef.Float("eps")],
            Rule = LayerNorm,
            Cost = CostRules.PerResultElement(8),
        };
        foreach (var name in new[] { "softmax", "log_softmax" })
        {
            yield return new OpDef
            {
                Name = name,
                Operands = ["x"],
                Attributes = [AttrDef.Int("dim")],
                Rule = Softmax,
                Bounds = name == "softmax" ? (_, _) => new(0, 1) : null,
                Cost = CostRules.PerResultElement(14),
            };
        }
    }

    private static IReadOnlyList<IRType> BatchNorm(OpCall call)
    {
        var input = call.Tensor(0);
        call.RequireDType(input, "input", DType.Float32);
        if (input.Rank < 2) throw call.Fail($"input must have a channel dimension 1, got {input}");
        for (var i = 1; i < 5; i++)
        {
            var p = call.Tensor(i);
            call.RequireDType(p, call.OperandName(i), DType.Float32);
            if (p.Rank != 1 || !OpCall.DimsAgree(p.Shape[0], input.Shape[1]))
                throw call.Fail($"operand '{call.OperandName(i)}' must be [{input.Shape[1]}] for input {TensorType.FormatShape(input.Shape)}, got {TensorType.FormatShape(p.Shape)}");
        }
        return call.One(input);
    }

    private static IReadOnlyList<IRType> LayerNorm(OpCall call)
    {
        TensorType input = call.Tensor(0), w = call.Tensor(1), b = call.Tensor(2);
        call.RequireDType(input, "input", DType.Float32);
        call.RequireDType(w, "weight", DType.Float32);
        call.RequireDType(b, "bias", DType.Float32);
        if (w.Rank > input.Rank || !w.Shape.SequenceEqual(b.Shape)
            || !w.Shape.Zip(input.Shape[(input.Rank - w.Rank)..]).All(p => OpCall.DimsAgree(p.First, p.Second)))
            throw call.Fail($"weight {TensorType.FormatShape(w.Shape)} and bias {TensorType.FormatShape(b.Shape)} must equal the trailing dims of input {TensorType.FormatShape(input.Shape)}");
        return call.One(input);
    }

    private static IReadOnlyList<IRType> Softmax(OpCall call)
    {
        var x = call.Tensor(0);
        call.RequireDType(x, "x", DType.Float32);
        call.Axis(call.Int("dim"), Math.Max(x.Rank, 1));
        return call.One(x);
    }
}
