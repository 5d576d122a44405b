namespace DyCompile.IR;

/// <summary>The primitives of the scalar formula language in which the catalog describes what an
/// elementwise op computes per element (<see cref="OpDef.Formula"/>). Every backend that renders
/// formulas renders each primitive once; an op is then described by an expression over them, not by
/// code in each backend. Semantics are single precision, as the runtime's kernels:
/// <see cref="Min"/> / <see cref="Max"/> are <see cref="MathF.Min(float, float)"/> /
/// <see cref="MathF.Max(float, float)"/> (a NaN operand gives NaN, −0 orders below +0); the
/// comparisons give a predicate (false for a NaN operand), which only <see cref="Select"/>,
/// <see cref="And"/>, <see cref="Or"/>, <see cref="Not"/> and a predicate-valued formula take.</summary>
public enum ScalarFunction
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Negate,
    Abs,
    Min,
    Max,
    Pow,
    Exp,
    /// <summary>exp(x) − 1, accurate near 0.</summary>
    ExpM1,
    Log,
    /// <summary>log(1 + x), accurate near 0.</summary>
    Log1P,
    Sqrt,
    /// <summary>1 / sqrt(x).</summary>
    ReciprocalSqrt,
    Tanh,
    Erf,
    /// <summary>1 − erf(x), accurate in relative terms where it is tiny (x ≫ 0).</summary>
    Erfc,
    /// <summary>Φ(x) = erfc(−x/√2)/2, the standard normal CDF, accurate in relative terms in the
    /// lower tail (where erfc of the rounded −x/√2 would not be).</summary>
    NormalCdf,
    Sin,
    Cos,
    Floor,
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    Equal,
    And,
    Or,
    Not,
    /// <summary>select(p, a, b): a where the predicate p holds, else b.</summary>
    Select,
}

/// <summary>Arity and value kind of each <see cref="ScalarFunction"/>.</summary>
public static class ScalarFunctions
{
    public static int Arity(this ScalarFunction f) => f switch
    {
        ScalarFunction.Select => 3,
        ScalarFunction.Add or ScalarFunction.Subtract or ScalarFunction.Multiply or ScalarFunction.Divide
            or ScalarFunction.Min or ScalarFunction.Max or ScalarFunction.Pow
            or ScalarFunction.GreaterThan or ScalarFunction.GreaterOrEqual or ScalarFunction.LessThan
            or ScalarFunction.LessOrEqual or ScalarFunction.Equal or ScalarFunction.And or ScalarFunction.Or => 2,
        _ => 1,
    };

    /// <summary>Whether the function yields a predicate rather than a number.</summary>
    public static bool IsPredicate(this ScalarFunction f) => f is ScalarFunction.GreaterThan or ScalarFunction.GreaterOrEqual
        or ScalarFunction.LessThan or ScalarFunction.LessOrEqual or ScalarFunction.Equal
        or ScalarFunction.And or ScalarFunction.Or or ScalarFunction.Not;

    /// <summary>Whether argument <paramref name="index"/> must be a predicate.</summary>
    public static bool TakesPredicate(this ScalarFunction f, int index) =>
        f is ScalarFunction.And or ScalarFunction.Or or ScalarFunction.Not || (f == ScalarFunction.Select && index == 0);
}
