namespace DyCompile.IR;

/// <summary>An op was applied to operands or attributes its shape rule does not accept.
/// The message names the op and the offending types.</summary>
public sealed class IRTypeException(string op, string detail) : Exception($"{op}: {detail}")
{
    public string Op { get; } = op;

    /// <summary>The message without the op name.</summary>
    public string Detail { get; } = detail;
}
