using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>The meaning of a <see cref="ScalarFormula"/>: evaluates it on one element's operand
/// values in single precision. It is the oracle backend renderings are tested against; a predicate
/// is returned (and a bool operand read) as 1 for true, 0 for false.</summary>
public static class ScalarFormulaEvaluator
{
    public static float Evaluate(ScalarFormula formula, ReadOnlySpan<float> operands, Attrs attrs) =>
        Evaluate(formula.Body, operands, attrs);

    public static float Evaluate(ScalarExpr e, ReadOnlySpan<float> operands, Attrs attrs)
    {
        switch (e)
        {
            case ScalarOperand { Index: var i }: return operands[i];
            case ScalarAttribute { Name: var name }: return attrs.GetFloat(name);
            case ScalarLiteral { Value: var v }: return v;
            case ScalarApply a:
                {
                    var x = Evaluate(a.Arguments[0], operands, attrs);
                    if (a.Function == ScalarFunction.Select)
                        return x != 0f ? Evaluate(a.Arguments[1], operands, attrs) : Evaluate(a.Arguments[2], operands, attrs);
                    var y = a.Arguments.Length > 1 ? Evaluate(a.Arguments[1], operands, attrs) : 0f;
                    return Apply(a.Function, x, y);
                }
            default:
                throw new ArgumentException($"unknown scalar expression {e}", nameof(e));
        }
    }

    private static float Truth(bool p) => p ? 1f : 0f;

    private static float Apply(ScalarFunction f, float x, float y) => f switch
    {
        ScalarFunction.Add => x + y,
        ScalarFunction.Subtract => x - y,
        ScalarFunction.Multiply => x * y,
        ScalarFunction.Divide => x / y,
        ScalarFunction.Negate => -x,
        ScalarFunction.Abs => MathF.Abs(x),
        ScalarFunction.Min => MathF.Min(x, y),
        ScalarFunction.Max => MathF.Max(x, y),
        ScalarFunction.Pow => MathF.Pow(x, y),
        ScalarFunction.Exp => MathF.Exp(x),
        ScalarFunction.ExpM1 => (float)(Math.Abs(x) < 1e-5 ? x + 0.5 * x * (double)x : Math.Exp(x) - 1.0),
        ScalarFunction.Log => MathF.Log(x),
        ScalarFunction.Log1P => (float)LogOnePlus(x),
        ScalarFunction.Sqrt => MathF.Sqrt(x),
        ScalarFunction.ReciprocalSqrt => 1f / MathF.Sqrt(x),
        ScalarFunction.Tanh => MathF.Tanh(x),
        ScalarFunction.Erf => ErrorFunction.Erf(x),
        ScalarFunction.Erfc => ErrorFunction.Erfc(x),
        ScalarFunction.NormalCdf => ErrorFunction.NormalCdf(x),
        ScalarFunction.Sin => MathF.Sin(x),
        ScalarFunction.Cos => MathF.Cos(x),
        ScalarFunction.Floor => MathF.Floor(x),
        ScalarFunction.GreaterThan => Truth(x > y),
        ScalarFunction.GreaterOrEqual => Truth(x >= y),
        ScalarFunction.LessThan => Truth(x < y),
        ScalarFunction.LessOrEqual => Truth(x <= y),
        ScalarFunction.Equal => Truth(x == y),
        ScalarFunction.And => Truth(x != 0f && y != 0f),
        ScalarFunction.Or => Truth(x != 0f || y != 0f),
        ScalarFunction.Not => Truth(x == 0f),
        _ => throw new ArgumentOutOfRangeException(nameof(f), f, "no evaluation rule"),
    };

    // log(1 + x) in double: 1 + x is exact in double for a float x of moderate size, and the
    // correction term recovers what rounding 1 + x loses when x is tiny.
    private static double LogOnePlus(double x)
    {
        var u = 1.0 + x;
        return u == 1.0 || double.IsPositiveInfinity(u) ? x : Math.Log(u) * x / (u - 1.0);
    }
}
