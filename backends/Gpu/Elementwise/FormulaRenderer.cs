using DyCompile.Backends.Cpu;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>Renders a catalog formula (<see cref="ScalarFormula"/>) as a C# expression an ILGPU
/// kernel can compile: arithmetic on the element type, <c>XMath</c> for the transcendental
/// functions, and the helpers of <see cref="KernelHelpers"/> where a function needs more than one
/// instruction (erf, erfc, expm1, log1p, IEEE min/max). Every <see cref="ScalarFunction"/> member
/// has one rendering here; a member without one is a <see cref="NotSupportedException"/> naming it.</summary>
public static class FormulaRenderer
{
    /// <summary>A rendered expression and whether it is a C# <c>bool</c> (a predicate) rather than a number.</summary>
    public readonly record struct Rendered(string Code, bool IsPredicate);

    /// <param name="operands">Each operand's element as a C# expression: a <c>bool</c> for a bool
    /// operand, else a value of <paramref name="computeType"/>.</param>
    /// <param name="operandIsBool">Which operands are bool (so read as predicates).</param>
    /// <param name="computeType">The dtype the numeric part computes in (the dtype of the numeric operands).</param>
    public static Rendered Render(ScalarExpr e, IReadOnlyList<string> operands, IReadOnlyList<bool> operandIsBool, Attrs attrs, DType computeType)
    {
        switch (e)
        {
            case ScalarOperand { Index: var i }:
                return new(operands[i], operandIsBool[i]);
            case ScalarAttribute { Name: var name }:
                return new(Literal(attrs.GetFloat(name), computeType), false);
            case ScalarLiteral { Value: var v }:
                return new(Literal(v, computeType), false);
            case ScalarApply a:
                var args = a.Arguments.Select((x, k) =>
                {
                    var r = Render(x, operands, operandIsBool, attrs, computeType);
                    return a.Function.TakesPredicate(k) ? AsPredicate(r) : AsNumber(r, computeType);
                }).ToArray();
                return new(Apply(a.Function, args, computeType), a.Function.IsPredicate());
            default:
                throw new NotSupportedException($"scalar expression {e} has no GPU rendering");
        }
    }

    public static string AsPredicate(Rendered r) => r.IsPredicate ? r.Code : $"({r.Code} != 0)";

    public static string AsNumber(Rendered r, DType type) => r.IsPredicate ? $"({r.Code} ? {Literal(1, type)} : {Literal(0, type)})" : r.Code;

    /// <summary>A float literal in the compute type (formula literals are floats; an integer op
    /// such as relu on i32 reads them as integers).</summary>
    public static string Literal(float value, DType type) => type switch
    {
        DType.Float32 => CSharpSyntax.Float(value),
        DType.Int64 => $"{CSharpSyntax.Int((long)value)}L",
        _ => CSharpSyntax.Int((int)value),
    };

    private static string Apply(ScalarFunction f, string[] x, DType type) => f switch
    {
        ScalarFunction.Add => $"({x[0]} + {x[1]})",
        ScalarFunction.Subtract => $"({x[0]} - {x[1]})",
        ScalarFunction.Multiply => $"({x[0]} * {x[1]})",
        ScalarFunction.Divide => $"({x[0]} / {x[1]})",
        ScalarFunction.Negate => $"(-{x[0]})",
        ScalarFunction.Abs => $"KernelHelpers.Abs({x[0]})",
        ScalarFunction.Min => $"KernelHelpers.Min({x[0]}, {x[1]})",
        ScalarFunction.Max => $"KernelHelpers.Max({x[0]}, {x[1]})",
        ScalarFunction.Pow => $"XMath.Pow({Float(x[0], type)}, {Float(x[1], type)})",
        ScalarFunction.Exp => $"XMath.Exp({Float(x[0], type)})",
        ScalarFunction.ExpM1 => $"KernelHelpers.ExpM1({Float(x[0], type)})",
        ScalarFunction.Log => $"XMath.Log({Float(x[0], type)})",
        ScalarFunction.Log1P => $"KernelHelpers.Log1P({Float(x[0], type)})",
        ScalarFunction.Sqrt => $"XMath.Sqrt({Float(x[0], type)})",
        ScalarFunction.ReciprocalSqrt => $"(1f / XMath.Sqrt({Float(x[0], type)}))",
        ScalarFunction.Tanh => $"XMath.Tanh({Float(x[0], type)})",
        ScalarFunction.Erf => $"KernelHelpers.Erf({Float(x[0], type)})",
        ScalarFunction.Erfc => $"KernelHelpers.Erfc({Float(x[0], type)})",
        ScalarFunction.NormalCdf => $"KernelHelpers.NormalCdf({Float(x[0], type)})",
        ScalarFunction.Sin => $"XMath.Sin({Float(x[0], type)})",
        ScalarFunction.Cos => $"XMath.Cos({Float(x[0], type)})",
        ScalarFunction.Floor => $"XMath.Floor({Float(x[0], type)})",
        ScalarFunction.GreaterThan => $"({x[0]} > {x[1]})",
        ScalarFunction.GreaterOrEqual => $"({x[0]} >= {x[1]})",
        ScalarFunction.LessThan => $"({x[0]} < {x[1]})",
        ScalarFunction.LessOrEqual => $"({x[0]} <= {x[1]})",
        ScalarFunction.Equal => $"({x[0]} == {x[1]})",
        ScalarFunction.And => $"({x[0]} && {x[1]})",
        ScalarFunction.Or => $"({x[0]} || {x[1]})",
        ScalarFunction.Not => $"(!{x[0]})",
        ScalarFunction.Select => $"({x[0]} ? {x[1]} : {x[2]})",
        _ => throw new NotSupportedException($"scalar function {f} has no GPU rendering (add it to {nameof(FormulaRenderer)})"),
    };

    // The transcendental functions are float-only in the catalog; an integer operand would be a
    // shape-rule bug, and converting keeps the rendering total rather than failing to build.
    private static string Float(string x, DType type) => type == DType.Float32 ? x : $"(float)({x})";
}
