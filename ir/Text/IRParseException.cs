namespace DyCompile.IR;

/// <summary>The text is not a program. <see cref="Line"/> and <see cref="Column"/> (1-based)
/// locate the offending token; the message says what was expected and what was found.</summary>
public sealed class IRParseException(int line, int column, string detail) : Exception($"{line}:{column}: {detail}")
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>The message without the position.</summary>
    public string Detail { get; } = detail;
}
