namespace DyCompile.Runtime;

/// <summary>An eager op was called with operands it cannot accept (shape, dtype or attribute).
/// The message always names the op and the offending shapes or values.</summary>
public sealed class TensorOpException(string op, string message) : Exception($"{op}: {message}")
{
    public string Op { get; } = op;

    public static TensorOpException ShapeMismatch(string op, ReadOnlySpan<int> a, ReadOnlySpan<int> b, string why) =>
        new(op, $"{why}: shapes {Shapes.Format(a)} and {Shapes.Format(b)}");
}
