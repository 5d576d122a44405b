namespace DyCompile.IR;

/// <summary>Closed bounds [<see cref="Lo"/>, <see cref="Hi"/>] on the non-NaN elements of a value;
/// infinite ends mean "unknown". An op's <see cref="OpDef.Bounds"/> derives its result's interval
/// from its operands', just enough to decide domain conditions such as "x ≥ 0".</summary>
public readonly record struct ValueInterval(double Lo, double Hi)
{
    public static ValueInterval Unknown { get; } = new(double.NegativeInfinity, double.PositiveInfinity);

    /// <summary>An interval whose NaN ends (−∞ + ∞) are widened to "unknown".</summary>
    public static ValueInterval Of(double lo, double hi) =>
        new(double.IsNaN(lo) ? double.NegativeInfinity : lo, double.IsNaN(hi) ? double.PositiveInfinity : hi);
}
