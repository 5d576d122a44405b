using DyCompile.IR;

namespace DyCompile.Passes.Rules;

/// <summary>
/// Interval bounds on the non-NaN elements of an op's result from its operands' bounds, by the
/// op's catalog rule (<see cref="OpDef.Bounds"/>) — just enough to decide domain conditions such
/// as "x ≥ 0" for <c>exp(log x) → x</c>.
/// </summary>
internal static class ValueBounds
{
    public static (double Lo, double Hi) Of(string op, Attrs attrs, IReadOnlyList<TensorData> operands)
    {
        var def = OpCatalog.Get(op);
        if (def.Bounds is not { } rule || operands.Any(d => d.Type is null)) return (double.NegativeInfinity, double.PositiveInfinity);
        var call = new OpCall(def, [.. operands.Select(d => d.Type!)], attrs);
        var (lo, hi) = rule(call, [.. operands.Select(d => new ValueInterval(d.Lo, d.Hi))]);
        return (lo, hi);
    }
}
