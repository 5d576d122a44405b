namespace DyCompile.Passes.EGraph;

/// <summary>Malformed s-expression text (a term or pattern); the message names the position.</summary>
public sealed class SExprSyntaxException : FormatException
{
    public SExprSyntaxException(string problem, int position)
        : base($"{problem} at position {position}")
    {
        Problem = problem;
        Position = position;
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; }

    /// <summary>Zero-based character offset into the parsed text.</summary>
    public int Position { get; }
}
