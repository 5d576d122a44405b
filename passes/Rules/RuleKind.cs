namespace DyCompile.Passes.Rules;

/// <summary>How far a rule may change results (DESIGN decision 9).</summary>
public enum RuleKind
{
    /// <summary>Same values, bit for bit, except possibly the sign of a zero.</summary>
    Exact,

    /// <summary>Same real-number function; results differ by floating-point rounding only.</summary>
    Rounding,

    /// <summary>
    /// May change results beyond rounding (<c>x*0 → 0</c> breaks on NaN and Inf, long
    /// reassociations can cancel differently). Off unless fast-math is asked for.
    /// </summary>
    FastMath,
}

/// <summary>
/// How closely the two sides of a rule agree, as its soundness property checks: for each
/// element, |lhs − rhs| ≤ Absolute + Relative · scale, where scale is the largest finite
/// magnitude in the left side's result (a norm-wise bound, the natural one for sums and products).
/// </summary>
public sealed record Tolerance(double Relative, double Absolute)
{
    public static Tolerance Exact { get; } = new(0, 0);

    public static Tolerance Rounding { get; } = new(1e-4, 1e-5);
}
