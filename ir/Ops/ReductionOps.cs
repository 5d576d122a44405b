using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>sum, mean, max, min over a dim list; argmax, argmin over one dim.</summary>
internal static class ReductionOps
{
    public static IEnumerable<OpDef> Define()
    {
        foreach (var name in new[] { "sum", "mean", "max", "min" })
        {
            yield return new OpDef
            {
                Name = name,
                Operands = ["x"],
                Attributes = [AttrDef.Ints("dims"), AttrDef.Bool("keepdim")],
                Rule = call => Reduce(call, name == "mean"),
                Cost = CostRules.PerInputElement(1),
            };
        }
        foreach (var name in new[] { "argmax", "argmin" })
        {
            yield return new OpDef
            {
                Name = name,
                Operands = ["x"],
                Attributes = [AttrDef.Int("dim"), AttrDef.Bool("keepdim")],
                Rule = ArgReduce,
                Cost = CostRules.PerInputElement(1),
            };
        }
    }

    private static readonly DType[] Numeric = [DType.Float32, DType.Int32, DType.Int64];

    private static IReadOnlyList<IRType> Reduce(OpCall call, bool floatOnly)
    {
        var x = call.Tensor(0);
        var dims = call.Ints("dims");
        if (floatOnly) call.RequireDType(x, "x", DType.Float32);
        else if (call.Op.Name is "max" or "min") call.RequireDType(x, "x", Numeric);
        // Like PyTorch, sum accumulates integers and bools in int64.
        var dtype = call.Op.Name == "sum" && x.DType != DType.Float32 ? DType.Int64 : x.DType;
        if (x.Rank == 0)
        {
            // A 0-d tensor reduces like a 1-element vector: dim 0 or -1, and the result stays 0-d.
            foreach (var d in dims) call.Axis(d, 1);
            return call.One(x.WithDType(dtype));
        }
        var reduced = new HashSet<int>();
        foreach (var d in dims)
            if (!reduced.Add(call.Axis(d, x.Rank)))
                throw call.Fail($"dim {d} appears twice in dims [{string.Join(", ", dims)}]");
        if (dims.Length == 0) reduced.UnionWith(Enumerable.Range(0, x.Rank));
        return call.One(new TensorType(dtype, Keep(x, reduced, call.Bool("keepdim"))));
    }

    private static IReadOnlyList<IRType> ArgReduce(OpCall call)
    {
        var x = call.Tensor(0);
        call.RequireDType(x, "x", Numeric);
        if (x.Rank == 0)
        {
            call.Axis(call.Int("dim"), 1);
            return call.One(new TensorType(DType.Int64, []));
        }
        var dim = call.Axis(call.Int("dim"), x.Rank);
        return call.One(new TensorType(DType.Int64, Keep(x, new HashSet<int> { dim }, call.Bool("keepdim"))));
    }

    private static IEnumerable<int> Keep(TensorType x, IReadOnlySet<int> reduced, bool keepdim) =>
        x.Shape.Select((d, i) => (d, i)).Where(p => keepdim || !reduced.Contains(p.i)).Select(p => reduced.Contains(p.i) ? 1 : p.d).ToArray();
}
