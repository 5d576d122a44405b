namespace DyCompile.IR;

/// <summary>Evaluates the host-scalar ops (<c>host.*</c>) on C# ints, floats and bools, with C#
/// semantics: int arithmetic wraps, int division truncates toward zero and throws on zero,
/// to_int truncates toward zero and saturates; the float functions are those of <see cref="MathF"/>;
/// <c>host.dim</c> reads a size of a tensor, as <see cref="Runtime.Tensor.Dim"/> does (negative
/// dimensions count from the end).</summary>
public static class HostEvaluator
{
    public static object Evaluate(string op, IReadOnlyList<object> x) => (op, x.Count > 0 ? x[0] : null, x.Count > 1 ? x[1] : null) switch
    {
        ("host.add", int a, int b) => a + b,
        ("host.add", float a, float b) => a + b,
        ("host.sub", int a, int b) => a - b,
        ("host.sub", float a, float b) => a - b,
        ("host.mul", int a, int b) => a * b,
        ("host.mul", float a, float b) => a * b,
        ("host.div", int a, int b) => a / b,
        ("host.div", float a, float b) => a / b,
        ("host.min", int a, int b) => Math.Min(a, b),
        ("host.min", float a, float b) => MathF.Min(a, b),
        ("host.max", int a, int b) => Math.Max(a, b),
        ("host.max", float a, float b) => MathF.Max(a, b),
        ("host.neg", int a, _) => -a,
        ("host.neg", float a, _) => -a,
        ("host.abs", int a, _) => Math.Abs(a), // throws OverflowException on int.MinValue, as Math.Abs does
        ("host.abs", float a, _) => MathF.Abs(a),
        ("host.sqrt", float a, _) => MathF.Sqrt(a),
        ("host.exp", float a, _) => MathF.Exp(a),
        ("host.log", float a, _) => MathF.Log(a),
        ("host.round", float a, _) => MathF.Round(a), // to even, as MathF.Round and ONNX Round
        ("host.floor", float a, _) => MathF.Floor(a),
        ("host.ceil", float a, _) => MathF.Ceiling(a),
        ("host.pow", float a, float b) => MathF.Pow(a, b),
        ("host.isnan", float a, _) => float.IsNaN(a),
        ("host.isinf", float a, _) => float.IsInfinity(a),
        ("host.lt", int a, int b) => a < b,
        ("host.lt", float a, float b) => a < b,
        ("host.le", int a, int b) => a <= b,
        ("host.le", float a, float b) => a <= b,
        ("host.gt", int a, int b) => a > b,
        ("host.gt", float a, float b) => a > b,
        ("host.ge", int a, int b) => a >= b,
        ("host.ge", float a, float b) => a >= b,
        ("host.eq", var a, var b) => a!.Equals(b),
        ("host.ne", var a, var b) => !a!.Equals(b),
        ("host.and", bool a, bool b) => a && b,
        ("host.or", bool a, bool b) => a || b,
        ("host.not", bool a, _) => !a,
        ("host.select", bool c, _) => c ? x[1] : x[2],
        ("host.to_float", int a, _) => (float)a,
        ("host.to_float", float a, _) => a,
        ("host.to_float", bool a, _) => a ? 1f : 0f,
        ("host.to_int", float a, _) => (int)a, // saturating since .NET 9: NaN is 0, out-of-range values clamp
        ("host.to_int", int a, _) => a,
        ("host.to_int", bool a, _) => a ? 1 : 0,
        ("host.dim", Runtime.Tensor t, int d) => t.Dim(d),
        _ => throw new InvalidOperationException($"{op} cannot take ({string.Join(", ", x.Select(v => $"{v.GetType().Name} {v}"))})"),
    };
}
