using DyCompile.Runtime;
using static DyCompile.IR.ScalarMath;

namespace DyCompile.IR;

/// <summary>Binary arithmetic, comparisons, unary math, clamp, where and cast, each with its
/// per-element formula.</summary>
internal static class ElementwiseOps
{
    private static readonly DType[] Numeric = [DType.Float32, DType.Int32, DType.Int64];

    private static readonly ScalarExpr X = Operand(0), A = Operand(0), B = Operand(1);

    private static readonly Dictionary<string, (ScalarExpr Formula, string Onnx)> BinaryOps = new()
    {
        ["add"] = (A + B, "Add"), ["sub"] = (A - B, "Sub"), ["mul"] = (A * B, "Mul"), ["div"] = (A / B, "Div"),
        ["pow"] = (Pow(A, B), "Pow"), ["minimum"] = (Min(A, B), "Min"), ["maximum"] = (Max(A, B), "Max"),
        ["gt"] = (GreaterThan(A, B), "Greater"), ["ge"] = (GreaterOrEqual(A, B), "GreaterOrEqual"),
        ["lt"] = (LessThan(A, B), "Less"), ["le"] = (LessOrEqual(A, B), "LessOrEqual"), ["eq"] = (Equal(A, B), "Equal"),
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
                Formula = new ScalarFormula(BinaryOps[name].Formula),
                Onnx = new OnnxOperator(BinaryOps[name].Onnx),
                // Rounding is monotone, so float bounds add (integer sums may wrap).
                Bounds = name == "add" ? (call, b) => call.Operands[0] is TensorType { DType: DType.Float32 } ? ValueInterval.Of(b[0].Lo + b[1].Lo, b[0].Hi + b[1].Hi) : ValueInterval.Unknown : null,
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
                Formula = new ScalarFormula(BinaryOps[name].Formula),
                Onnx = new OnnxOperator(BinaryOps[name].Onnx),
                Cost = CostRules.PerResultElement(1),
            };
        }

        // Relative costs follow a typical libm: a transcendental is ~10 simple operations.
        yield return Unary("neg", 1, -X, floatOnly: false) with { Onnx = new("Neg"), Bounds = (_, b) => new(-b[0].Hi, -b[0].Lo) };
        yield return Unary("abs", 1, Abs(X), floatOnly: false) with
        {
            Onnx = new("Abs"),
            Bounds = (_, b) => new(b[0].Lo >= 0 ? b[0].Lo : b[0].Hi <= 0 ? -b[0].Hi : 0, Math.Max(Math.Abs(b[0].Lo), Math.Abs(b[0].Hi))),
        };
        yield return Unary("relu", 1, Max(X, 0f), floatOnly: false) with { Onnx = new("Relu"), Bounds = (_, b) => new(Math.Max(0, b[0].Lo), Math.Max(0, b[0].Hi)) };
        yield return Unary("exp", 10, Exp(X)) with { Onnx = new("Exp"), Bounds = (_, b) => new(Math.Exp(b[0].Lo), Math.Exp(b[0].Hi)) };
        yield return Unary("log", 10, Log(X)) with { Onnx = new("Log") };
        yield return Unary("sqrt", 4, Sqrt(X)) with { Onnx = new("Sqrt"), Bounds = (_, b) => new(0, Math.Sqrt(Math.Max(0, b[0].Hi))) };
        yield return Unary("rsqrt", 5, ReciprocalSqrt(X));
        yield return Unary("tanh", 12, Tanh(X)) with { Onnx = new("Tanh"), Bounds = (_, _) => new(-1, 1) };
        yield return Unary("sigmoid", 12, 1f / (1f + Exp(-X))) with { Onnx = new("Sigmoid"), Bounds = (_, _) => new(0, 1) };
        yield return Unary("gelu", 20, X * NormalCdf(X));
        yield return Unary("silu", 13, X / (1f + Exp(-X)));
        yield return Unary("softplus", 22, Select(GreaterThan(X, 20f), X, Log1P(Exp(X)))) with { Onnx = new("Softplus"), Bounds = (_, b) => new(0, Math.Max(0, b[0].Hi) + Math.Log(2)) };
        // ONNX's Mish arrives in opset 18; below it the formula is exported.
        yield return Unary("mish", 30, X * Tanh(Log1P(Exp(X)))) with { Onnx = new("Mish", Since: 18) };
        yield return Unary("hardswish", 4, X * Min(Max(X + 3f, 0f), 6f) / 6f) with { Onnx = new("HardSwish", Since: 14) };
        yield return Unary("hardsigmoid", 3, Min(Max(X + 3f, 0f), 6f) / 6f) with
        {
            // ONNX's HardSigmoid is max(0, min(1, αx + β)); PyTorch's slope is 1/6.
            Onnx = new("HardSigmoid", Since: 6) { FloatAttributes = [("alpha", 1f / 6f), ("beta", 0.5f)] },
            Bounds = (_, _) => new(0, 1),
        };
        yield return Unary("leaky_relu", 2, Select(GreaterThan(X, 0f), X, X * Attribute("negativeSlope")), true, AttrDef.Float("negativeSlope")) with
        {
            Onnx = new("LeakyRelu", Since: 6) { FloatAttributes = [("alpha", Attribute("negativeSlope"))] },
        };
        yield return Unary("elu", 12, Select(GreaterThan(X, 0f), X, Attribute("alpha") * ExpM1(X)), true, AttrDef.Float("alpha")) with
        {
            Onnx = new("Elu", Since: 6) { FloatAttributes = [("alpha", Attribute("alpha"))] },
        };
        yield return Unary("erf", 20, Erf(X)) with { Onnx = new("Erf", Since: 9), Bounds = (_, _) => new(-1, 1) };
        yield return Unary("sin", 15, Sin(X)) with { Onnx = new("Sin", Since: 7), Bounds = (_, _) => new(-1, 1) };
        yield return Unary("cos", 15, Cos(X)) with { Onnx = new("Cos", Since: 7), Bounds = (_, _) => new(-1, 1) };

        yield return new OpDef
        {
            Name = "clamp",
            Operands = ["x"],
            Attributes = [AttrDef.Float("min"), AttrDef.Float("max")],
            Elementwise = true,
            Rule = call => Unary(call, floatOnly: true),
            Formula = new ScalarFormula(Min(Max(X, Attribute("min")), Attribute("max"))),
            Onnx = new("Clip") { ExtraInputs = [Attribute("min"), Attribute("max")] },
            Bounds = (call, b) => new(Math.Max(b[0].Lo, call.Float("min")), Math.Min(b[0].Hi, call.Float("max"))),
            Cost = CostRules.PerResultElement(2),
        };

        yield return new OpDef
        {
            Name = "where",
            Operands = ["condition", "a", "b"],
            Elementwise = true,
            Rule = Where,
            Formula = new ScalarFormula(Select(Operand(0), Operand(1), Operand(2))),
            Onnx = new("Where"),
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

    /// <summary>A unary elementwise op of one operand <c>x</c> computing <paramref name="formula"/>,
    /// at <paramref name="flops"/> per element; float attributes, ONNX operator and bounds are
    /// added with <c>with</c>.</summary>
    private static OpDef Unary(string name, long flops, ScalarExpr formula, bool floatOnly = true, params AttrDef[] attributes) => new()
    {
        Name = name,
        Operands = ["x"],
        Attributes = [.. attributes],
        Elementwise = true,
        Rule = call => Unary(call, floatOnly),
        Formula = new ScalarFormula(formula),
        Cost = CostRules.PerResultElement(flops),
    };

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
