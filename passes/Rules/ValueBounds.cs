namespace DyCompile.Passes.Rules;

/// <summary>
/// Interval bounds on the non-NaN elements of an op's result from its operands' bounds — just
/// enough to decide domain conditions such as "x ≥ 0" for <c>exp(log x) → x</c>.
/// </summary>
internal static class ValueBounds
{
    private const double Inf = double.PositiveInfinity;

    public static (double Lo, double Hi) Of(string op, IR.Attrs attrs, IReadOnlyList<TensorData> operands)
    {
        var x = operands.Count > 0 ? operands[0] : null;
        return op switch
        {
            "relu" => (Math.Max(0, x!.Lo), Math.Max(0, x.Hi)),
            "abs" => (x!.Lo >= 0 ? x.Lo : x.Hi <= 0 ? -x.Hi : 0, Math.Max(Math.Abs(x.Lo), Math.Abs(x.Hi))),
            "neg" => (-x!.Hi, -x.Lo),
            "exp" => (Math.Exp(x!.Lo), Math.Exp(x.Hi)),
            "sqrt" => (0, Math.Sqrt(Math.Max(0, x!.Hi))),
            "sigmoid" or "softmax" => (0, 1),
            "tanh" => (-1, 1),
            "clamp" => (Math.Max(x!.Lo, attrs.GetFloat("min")), Math.Min(x.Hi, attrs.GetFloat("max"))),
            "add" when x!.Tensor?.DType == Runtime.DType.Float32 => Sum(x, operands[1]),
            _ => (-Inf, Inf),
        };
    }

    /// <summary>Rounding is monotone, so bounds add; −inf + inf (NaN) means "unknown".</summary>
    private static (double Lo, double Hi) Sum(TensorData a, TensorData b)
    {
        double lo = a.Lo + b.Lo, hi = a.Hi + b.Hi;
        return (double.IsNaN(lo) ? -Inf : lo, double.IsNaN(hi) ? Inf : hi);
    }
}
