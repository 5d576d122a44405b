using DyCompile.Runtime;
using static DyCompile.IR.ScalarMath;

namespace DyCompile.IR;

/// <summary>Binary arithmetic, comparisons, unary math, clamp, where and cast, each with its
/// per-element formula.</summary>
internal static class ElementwiseOps
{
    private static readonly DType[] Numeric = [DType.Float32, DType.Int32, DType.Int64];

    private static readonly ScalarExpr X = Operand(0), A = Operand(0), B = Operand(1);

    private const float InverseSqrt2 = 0.70710678118654752f;

    private static readonly Dictionary<string, ScalarExpr> BinaryFormulas = new()
    {
        ["add"] = A + B, ["sub"] = A - B, ["mul"] = A * B, ["div"] = A / B, ["pow"] = Pow(A, B),
        ["minimum"] = Min(A, B), ["maximum"] = Max(A, B),
        ["gt"] = GreaterThan(A, B), ["ge"] = GreaterOrEqual(A, B), ["lt"] = LessThan(A, B),
        ["le"] = LessOrEqual(A, B), ["eq"] = Equal(A, B),
    };

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
                Formula = new ScalarFormula(BinaryFormulas[name]),
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
                Formula = new ScalarFormula(BinaryFormulas[name]),
                Cost = CostRules.PerResultElement(1),
            };
        }

        // Relative costs follow a typical libm: a transcendental is ~10 simple operations.
        var unary = new (string Name, long Flops, bool FloatOnly, ScalarExpr Formula)[]
        {
            ("neg", 1, false, -X), ("abs", 1, false, Abs(X)), ("relu", 1, false, Max(X, 0f)),
            ("exp", 10, true, Exp(X)), ("log", 10, true, Log(X)), ("sqrt", 4, true, Sqrt(X)),
            ("rsqrt", 5, true, ReciprocalSqrt(X)), ("tanh", 12, true, Tanh(X)),
            ("sigmoid", 12, true, 1f / (1f + Exp(-X))),
            // x·Φ(x) with Φ(x) = erfc(−x/√2)/2: keeps its relative accuracy in the lower tail.
            ("gelu", 20, true, 0.5f * X * Erfc(-X * InverseSqrt2)),
            ("silu", 13, true, X / (1f + Exp(-X))),
        };
        foreach (var (name, flops, floatOnly, formula) in unary)
        {
            yield return new OpDef
            {
                Name = name,
                Operands = ["x"],
                Elementwise = true,
                Rule = call => Unary(call, floatOnly),
                Formula = new ScalarFormula(formula),
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
            Formula = new ScalarFormula(Min(Max(X, Attribute("min")), Attribute("max"))),
            Cost = CostRules.PerResultElement(2),
        };

        yield return new OpDef
        {
            Name = "where",
            Operands = ["condition", "a", "b"],
            Elementwise = true,
            Rule = Where,
            Formula = new ScalarFormula(Select(Operand(0), Operand(1), Operand(2))),
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
