namespace DyCompile.IR;

/// <summary>Builders of <see cref="ScalarExpr"/> applications, for writing catalog formulas
/// (<c>using static DyCompile.IR.ScalarMath;</c>).</summary>
public static class ScalarMath
{
    public static ScalarExpr Operand(int index) => new ScalarOperand(index);
    public static ScalarExpr Attribute(string name) => new ScalarAttribute(name);

    public static ScalarExpr Abs(ScalarExpr x) => Apply(ScalarFunction.Abs, x);
    public static ScalarExpr Min(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.Min, a, b);
    public static ScalarExpr Max(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.Max, a, b);
    public static ScalarExpr Pow(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.Pow, a, b);
    public static ScalarExpr Exp(ScalarExpr x) => Apply(ScalarFunction.Exp, x);
    public static ScalarExpr ExpM1(ScalarExpr x) => Apply(ScalarFunction.ExpM1, x);
    public static ScalarExpr Log(ScalarExpr x) => Apply(ScalarFunction.Log, x);
    public static ScalarExpr Log1P(ScalarExpr x) => Apply(ScalarFunction.Log1P, x);
    public static ScalarExpr Sqrt(ScalarExpr x) => Apply(ScalarFunction.Sqrt, x);
    public static ScalarExpr ReciprocalSqrt(ScalarExpr x) => Apply(ScalarFunction.ReciprocalSqrt, x);
    public static ScalarExpr Tanh(ScalarExpr x) => Apply(ScalarFunction.Tanh, x);
    public static ScalarExpr Erf(ScalarExpr x) => Apply(ScalarFunction.Erf, x);
    public static ScalarExpr Erfc(ScalarExpr x) => Apply(ScalarFunction.Erfc, x);
    public static ScalarExpr NormalCdf(ScalarExpr x) => Apply(ScalarFunction.NormalCdf, x);
    public static ScalarExpr Sin(ScalarExpr x) => Apply(ScalarFunction.Sin, x);
    public static ScalarExpr Cos(ScalarExpr x) => Apply(ScalarFunction.Cos, x);
    public static ScalarExpr Floor(ScalarExpr x) => Apply(ScalarFunction.Floor, x);
    public static ScalarExpr GreaterThan(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.GreaterThan, a, b);
    public static ScalarExpr GreaterOrEqual(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.GreaterOrEqual, a, b);
    public static ScalarExpr LessThan(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.LessThan, a, b);
    public static ScalarExpr LessOrEqual(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.LessOrEqual, a, b);
    public static ScalarExpr Equal(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.Equal, a, b);
    public static ScalarExpr And(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.And, a, b);
    public static ScalarExpr Or(ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.Or, a, b);
    public static ScalarExpr Not(ScalarExpr p) => Apply(ScalarFunction.Not, p);
    public static ScalarExpr Select(ScalarExpr p, ScalarExpr a, ScalarExpr b) => Apply(ScalarFunction.Select, p, a, b);

    private static ScalarExpr Apply(ScalarFunction f, params ScalarExpr[] arguments) => new ScalarApply(f, [.. arguments]);
}
