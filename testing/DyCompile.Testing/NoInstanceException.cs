namespace DyCompile.Testing;

/// <summary>
/// No instance of a rule's left side that the rule rewrites could be generated: the rule's
/// condition is too narrow for generate-and-filter (write instances with
/// <see cref="SoundnessOptions.Instances"/>), or the rule never fires.
/// </summary>
public sealed class NoInstanceException(string message) : InvalidOperationException(message);
