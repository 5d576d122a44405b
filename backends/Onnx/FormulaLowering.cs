using DyCompile.IR;
using static DyCompile.Backends.Onnx.OnnxGraphBuilder;

namespace DyCompile.Backends.Onnx;

/// <summary>Exports an elementwise op through its catalog entry: as its ONNX operator
/// (<see cref="OpDef.Onnx"/>) when the target opset has it, else as its formula
/// (<see cref="OpDef.Formula"/>) rendered primitive by primitive into ONNX nodes — literals and
/// attributes become 0-d float constants, predicates are bool tensors, select is <c>Where</c>.</summary>
internal static class FormulaLowering
{
    /// <summary>Whether the op can be exported from its catalog entry.</summary>
    public static bool Covers(OpDef op) => op.Onnx is { } onnx && onnx.Since <= OnnxOpset.Version || op.Formula is not null;

    public static string Lower(OnnxGraphBuilder g, Node node, IReadOnlyList<string> x, string hint)
    {
        var op = node.Def!;
        if (op.Onnx is { } onnx && onnx.Since <= OnnxOpset.Version)
        {
            var inputs = x.Concat(onnx.ExtraInputs.Select(e => Constant(g, ScalarFormulaEvaluator.Evaluate(e, [], node.Attrs), hint)));
            var attributes = onnx.FloatAttributes.Select(a => Float(a.Name, ScalarFormulaEvaluator.Evaluate(a.Value, [], node.Attrs))).ToArray();
            return g.One(onnx.OpType, inputs, hint, attributes);
        }
        var formula = op.Formula ?? throw new InvalidOperationException($"'{node.Op}' has neither an ONNX operator nor a formula");
        return Render(g, formula.Body, x, node.Attrs, hint, top: true);
    }

    private static string Constant(OnnxGraphBuilder g, float value, string hint) => g.Literal(IRType.Float, [value], hint + "_c");

    private static string Render(OnnxGraphBuilder g, ScalarExpr e, IReadOnlyList<string> x, Attrs attrs, string hint, bool top = false)
    {
        switch (e)
        {
            case ScalarOperand { Index: var i }:
                return top ? g.One("Identity", [x[i]], hint) : x[i];
            case ScalarAttribute or ScalarLiteral:
                var value = Constant(g, ScalarFormulaEvaluator.Evaluate(e, [], attrs), hint);
                return top ? g.One("Identity", [value], hint) : value;
            case ScalarApply apply:
                var a = apply.Arguments.Select(arg => Render(g, arg, x, attrs, hint + "_t")).ToArray();
                var name = top ? hint : hint + "_t";
                string One(string opType, params string[] inputs) => g.One(opType, inputs, name);
                string Inner(string opType, params string[] inputs) => g.One(opType, inputs, hint + "_t");
                string C(float v) => Constant(g, v, hint);
                return apply.Function switch
                {
                    ScalarFunction.Add => One("Add", a[0], a[1]),
                    ScalarFunction.Subtract => One("Sub", a[0], a[1]),
                    ScalarFunction.Multiply => One("Mul", a[0], a[1]),
                    ScalarFunction.Divide => One("Div", a[0], a[1]),
                    ScalarFunction.Negate => One("Neg", a[0]),
                    ScalarFunction.Abs => One("Abs", a[0]),
                    ScalarFunction.Min => One("Min", a[0], a[1]),
                    ScalarFunction.Max => One("Max", a[0], a[1]),
                    ScalarFunction.Pow => One("Pow", a[0], a[1]),
                    ScalarFunction.Exp => One("Exp", a[0]),
                    ScalarFunction.ExpM1 => One("Sub", Inner("Exp", a[0]), C(1f)),
                    ScalarFunction.Log => One("Log", a[0]),
                    ScalarFunction.Log1P => One("Log", Inner("Add", a[0], C(1f))),
                    ScalarFunction.Sqrt => One("Sqrt", a[0]),
                    ScalarFunction.ReciprocalSqrt => One("Reciprocal", Inner("Sqrt", a[0])),
                    ScalarFunction.Tanh => One("Tanh", a[0]),
                    ScalarFunction.Erf => One("Erf", a[0]),
                    ScalarFunction.Erfc => One("Sub", C(1f), Inner("Erf", a[0])),
                    // Φ(x) = (1 + erf(x/√2))/2: ONNX has no erfc, so the lower tail is absolute-accurate only.
                    ScalarFunction.NormalCdf => One("Mul", Inner("Add", Inner("Erf", Inner("Mul", a[0], C(0.70710678118654752f))), C(1f)), C(0.5f)),
                    ScalarFunction.Sin => One("Sin", a[0]),
                    ScalarFunction.Cos => One("Cos", a[0]),
                    ScalarFunction.Floor => One("Floor", a[0]),
                    ScalarFunction.GreaterThan => One("Greater", a[0], a[1]),
                    ScalarFunction.GreaterOrEqual => One("GreaterOrEqual", a[0], a[1]),
                    ScalarFunction.LessThan => One("Less", a[0], a[1]),
                    ScalarFunction.LessOrEqual => One("LessOrEqual", a[0], a[1]),
                    ScalarFunction.Equal => One("Equal", a[0], a[1]),
                    ScalarFunction.And => One("And", a[0], a[1]),
                    ScalarFunction.Or => One("Or", a[0], a[1]),
                    ScalarFunction.Not => One("Not", a[0]),
                    ScalarFunction.Select => One("Where", a[0], a[1], a[2]),
                    var f => throw new NotSupportedException($"no ONNX rendering of the formula primitive {f}"),
                };
            default:
                throw new NotSupportedException($"unknown formula expression {e}");
        }
    }
}
