using DyCompile.IR;

namespace DyCompile.Backends.Cpu;

/// <summary>Renders a catalog formula (<see cref="OpDef.Formula"/>) as one C# expression, once per
/// primitive: as scalar C# over <c>float</c> (a predicate is a <c>bool</c>), or over a vector type
/// (<c>Vector256</c>, <c>Vector512</c>) where a predicate is a lane mask. Primitives .NET has no
/// vector form of call the runtime's <c>ElementMath</c> / <c>GeluMath</c>, whose scalar and vector
/// forms agree lane for lane, so a loop's vector body and its scalar tail compute the same values.
/// Min and max follow <see cref="MathF.Max(float, float)"/> in both forms (a NaN operand gives NaN,
/// −0 orders below +0), as the vector <c>Min</c>/<c>Max</c> of .NET 9 and later do.</summary>
public static class FormulaRenderer
{
    /// <summary>The scalar C# expression of <paramref name="formula"/> over the C# expressions of
    /// the op's operands (floats, or bools for a predicate operand) and the node's attributes.</summary>
    public static string Scalar(ScalarFormula formula, IReadOnlyList<string> operands, Attrs attrs) =>
        RenderScalar(formula.Body, operands, attrs);

    /// <summary>The vector C# expression of <paramref name="formula"/>; <paramref name="vector"/> is
    /// <c>"Vector256"</c> or <c>"Vector512"</c> and the operands are vectors of floats.</summary>
    public static string Vector(ScalarFormula formula, string vector, IReadOnlyList<string> operands, Attrs attrs) =>
        RenderVector(formula.Body, vector, operands, attrs);

    /// <summary>Whether the formula reads operand <paramref name="index"/> as a predicate (where's
    /// condition), which scalar C# takes as a <c>bool</c>.</summary>
    public static bool IsPredicateOperand(ScalarFormula formula, int index)
    {
        return Reads(formula.Body, expectPredicate: formula.IsPredicate);

        bool Reads(ScalarExpr e, bool expectPredicate) => e switch
        {
            ScalarOperand { Index: var i } => i == index && expectPredicate,
            ScalarApply a => a.Arguments.Select((arg, k) => Reads(arg, a.Function.TakesPredicate(k))).Any(b => b),
            _ => false,
        };
    }

    private static string Literal(float value) =>
        float.IsNegative(value) ? $"({CSharpSyntax.Float(value)})" : CSharpSyntax.Float(value);

    private static string RenderScalar(ScalarExpr e, IReadOnlyList<string> x, Attrs attrs)
    {
        switch (e)
        {
            case ScalarOperand { Index: var i }: return x[i];
            case ScalarAttribute { Name: var name }: return Literal(attrs.GetFloat(name));
            case ScalarLiteral { Value: var v }: return Literal(v);
            case ScalarApply apply:
                var a = apply.Arguments.Select(arg => RenderScalar(arg, x, attrs)).ToArray();
                return apply.Function switch
                {
                    ScalarFunction.Add => $"({a[0]} + {a[1]})",
                    ScalarFunction.Subtract => $"({a[0]} - {a[1]})",
                    ScalarFunction.Multiply => $"({a[0]} * {a[1]})",
                    ScalarFunction.Divide => $"({a[0]} / {a[1]})",
                    ScalarFunction.Negate => $"(-{a[0]})",
                    ScalarFunction.Abs => $"MathF.Abs({a[0]})",
                    ScalarFunction.Min => $"MathF.Min({a[0]}, {a[1]})",
                    ScalarFunction.Max => $"MathF.Max({a[0]}, {a[1]})",
                    ScalarFunction.Pow => $"MathF.Pow({a[0]}, {a[1]})",
                    ScalarFunction.Exp => $"MathF.Exp({a[0]})",
                    ScalarFunction.ExpM1 => $"ElementMath.ExpM1({a[0]})",
                    ScalarFunction.Log => $"MathF.Log({a[0]})",
                    ScalarFunction.Log1P => $"ElementMath.Log1P({a[0]})",
                    ScalarFunction.Sqrt => $"MathF.Sqrt({a[0]})",
                    ScalarFunction.ReciprocalSqrt => $"(1f / MathF.Sqrt({a[0]}))",
                    ScalarFunction.Tanh => $"MathF.Tanh({a[0]})",
                    ScalarFunction.Erf => $"ElementMath.Erf({a[0]})",
                    ScalarFunction.Erfc => $"ElementMath.Erfc({a[0]})",
                    ScalarFunction.NormalCdf => $"GeluMath.NormalCdf({a[0]})",
                    ScalarFunction.Sin => $"MathF.Sin({a[0]})",
                    ScalarFunction.Cos => $"MathF.Cos({a[0]})",
                    ScalarFunction.Floor => $"MathF.Floor({a[0]})",
                    ScalarFunction.GreaterThan => $"({a[0]} > {a[1]})",
                    ScalarFunction.GreaterOrEqual => $"({a[0]} >= {a[1]})",
                    ScalarFunction.LessThan => $"({a[0]} < {a[1]})",
                    ScalarFunction.LessOrEqual => $"({a[0]} <= {a[1]})",
                    ScalarFunction.Equal => $"({a[0]} == {a[1]})",
                    ScalarFunction.And => $"({a[0]} && {a[1]})",
                    ScalarFunction.Or => $"({a[0]} || {a[1]})",
                    ScalarFunction.Not => $"(!{a[0]})",
                    ScalarFunction.Select => $"({a[0]} ? {a[1]} : {a[2]})",
                    var f => throw new NotSupportedException($"no scalar C# for the formula primitive {f}"),
                };
            default:
                throw new NotSupportedException($"unknown formula expression {e}");
        }
    }

    private static string RenderVector(ScalarExpr e, string v, IReadOnlyList<string> x, Attrs attrs)
    {
        switch (e)
        {
            case ScalarOperand { Index: var i }: return x[i];
            case ScalarAttribute { Name: var name }: return $"{v}.Create({CSharpSyntax.Float(attrs.GetFloat(name))})";
            case ScalarLiteral { Value: var value }: return $"{v}.Create({CSharpSyntax.Float(value)})";
            case ScalarApply apply:
                var a = apply.Arguments.Select(arg => RenderVector(arg, v, x, attrs)).ToArray();
                return apply.Function switch
                {
                    ScalarFunction.Add => $"({a[0]} + {a[1]})",
                    ScalarFunction.Subtract => $"({a[0]} - {a[1]})",
                    ScalarFunction.Multiply => $"({a[0]} * {a[1]})",
                    ScalarFunction.Divide => $"({a[0]} / {a[1]})",
                    ScalarFunction.Negate => $"(-{a[0]})",
                    ScalarFunction.Abs => $"{v}.Abs({a[0]})",
                    ScalarFunction.Min => $"{v}.Min({a[0]}, {a[1]})",
                    ScalarFunction.Max => $"{v}.Max({a[0]}, {a[1]})",
                    ScalarFunction.Pow => $"ElementMath.Pow({a[0]}, {a[1]})",
                    ScalarFunction.Exp => $"{v}.Exp({a[0]})",
                    ScalarFunction.ExpM1 => $"ElementMath.ExpM1({a[0]})",
                    ScalarFunction.Log => $"{v}.Log({a[0]})",
                    ScalarFunction.Log1P => $"ElementMath.Log1P({a[0]})",
                    ScalarFunction.Sqrt => $"{v}.Sqrt({a[0]})",
                    ScalarFunction.ReciprocalSqrt => $"({v}<float>.One / {v}.Sqrt({a[0]}))",
                    ScalarFunction.Tanh => $"ElementMath.Tanh({a[0]})",
                    ScalarFunction.Erf => $"ElementMath.Erf({a[0]})",
                    ScalarFunction.Erfc => $"ElementMath.Erfc({a[0]})",
                    ScalarFunction.NormalCdf => $"GeluMath.NormalCdf({a[0]})",
                    ScalarFunction.Sin => $"{v}.Sin({a[0]})",
                    ScalarFunction.Cos => $"{v}.Cos({a[0]})",
                    ScalarFunction.Floor => $"{v}.Floor({a[0]})",
                    ScalarFunction.GreaterThan => $"{v}.GreaterThan({a[0]}, {a[1]})",
                    ScalarFunction.GreaterOrEqual => $"{v}.GreaterThanOrEqual({a[0]}, {a[1]})",
                    ScalarFunction.LessThan => $"{v}.LessThan({a[0]}, {a[1]})",
                    ScalarFunction.LessOrEqual => $"{v}.LessThanOrEqual({a[0]}, {a[1]})",
                    ScalarFunction.Equal => $"{v}.Equals({a[0]}, {a[1]})",
                    ScalarFunction.And => $"({a[0]} & {a[1]})",
                    ScalarFunction.Or => $"({a[0]} | {a[1]})",
                    ScalarFunction.Not => $"(~{a[0]})",
                    ScalarFunction.Select => $"{v}.ConditionalSelect({a[0]}, {a[1]}, {a[2]})",
                    var f => throw new NotSupportedException($"no vector C# for the formula primitive {f}"),
                };
            default:
                throw new NotSupportedException($"unknown formula expression {e}");
        }
    }
}
