namespace DyCompile.Cli.Rules;

/// <summary>A line of a rule file that does not parse; <see cref="Offset"/> is the zero-based column of the problem.</summary>
public sealed class RuleSyntaxException(string message, int offset) : FormatException(message)
{
    public int Offset { get; } = offset;
}
