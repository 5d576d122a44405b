using DyCompile.Passes.Rules;

namespace DyCompile.Cli.Rules;

/// <summary>One rule of a rule file and the line it was written on.</summary>
public sealed record RuleLine(TensorRule Rule, int Line);
