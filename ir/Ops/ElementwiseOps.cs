using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>Binary arithmetic, comparisons, unary math, clamp, where and cast.</summary>
internal static class ElementwiseOps
{
    private static readonly DType[] Numeric = [DType.Float32, DType.Int32, DType.Int64];

    public static IEnumerable<OpDef> Define()
    {
        foreach (var name in new[] { "add", "sub", "mul", "div", "pow", "minimum", "maximum" })
        {
            var floatOnly = name is "div" or "pow";
            yield return new OpDef
            {
                Name = name,
                Operands = ["a", "b"],
                Elementwise = true,
                Rule = call => Binary(call, floatOnly),
                Cost = CostRules.PerResultElement(name == "pow" ? 8 : 1),
            };
        }

        foreach (var name in new[] { "gt", "ge", "lt", "le", "eq" })
        {
            yield return new OpDef
            {
                Name = name,
                Operands = ["a", "b"],
                Elementwise = true,
                Rule = Comparison,
                Cost = CostRules.PerResultElement(1),
            };
        }

        // Relative costs follow a typical libm: a transcendental is ~10 simple operations.
        var unary = new (string Name, long Flops, bool FloatOnly)[]
        {
            ("neg", 1, false), ("abs", 1, false), ("relu", 1, false),
            ("exp", 10, true), ("log", 10, true), ("sqrt", 4, true), ("rsqrt", 5, true),
            ("tanh", 12, true), ("sigmoid", 12, true), ("gelu", 20, true), ("silu", 13, true),
        };
        foreach (var (name, flops, floatOnly) in unary)
        {
            yield return new OpDef
            {
                Name = name,
                Operands = ["x"],
                Elementwise = true,
                Rule = call => Unary(call, floatOnly),
                Cost = CostRules.PerResultElement(flops),
            };
        }

        yield return new OpDef
        {
            Name = "clamp",
            Operands = ["x"],
            Attributes = [AttrDef.Float("min"), AttrDef.Float("max")],
            Elementwise = true,
            Rule = call => Unary(call, floatOnly: true),
            Cost = CostRules.PerResultElement(2),
        };

        yield return new OpDef
        {
            Name = "where",
            Operands = ["condition", "a", "b"],
            Elementwise = true,
            Rule = Where,
            Cost = CostRules.PerResultElement(1),
        };

        yield return new OpDef
        {
            Name = "cast",
            Operands = ["x"],
            Attributes = [AttrDef.DType("dtype")],
            Elementwise = true,
            Rule = call => call.One(call.Tensor(0).WithDType(call.DType("dtype"))),
            Cost = CostRules.PerResultElement(1),
        };
    }

    private static IReadOnlyList<IRType> Binary(OpCall call, bool floatOnly)
    {
        TensorType a = call.Tensor(0), b = call.Tensor(1);
        call.RequireSameDType(a, b);
        if (floatOnly) call.RequireDType(a, "a", DType.Float32);
        else call.RequireDType(a, "a", Numeric);
        return call.One(new TensorType(a.DType, call.Broadcast(a.Shape, b.Shape)));
    }

    private static IReadOnlyList<IRType> Comparison(OpCall call)
    {
        TensorType a = call.Tensor(0), b = call.Tensor(1);
        call.RequireSameDType(a, b);
        return call.One(new TensorType(DType.Bool, call.Broadcast(a.Shape, b.Shape)));
    }

    private static IReadOnlyList<IRType> Unary(OpCall call, bool floatOnly)
    {
        var x = call.Tensor(0);
        if (floatOnly) call.RequireDType(x, "x", DType.Float32);
        else call.RequireDType(x, "x", Numeric);
        return call.One(x);
    }

    private static IReadOnlyList<IRType> Where(OpCall call)
    {
        TensorType c = call.Tensor(0), a = call.Tensor(1), b = call.Tensor(2);
        call.RequireDType(c, "condition", DType.Bool);
        call.RequireSameDType(a, b);
        return call.One(new TensorType(a.DType, call.Broadcast(call.Broadcast(c.Shape, a.Shape), b.Shape)));
    }
}
