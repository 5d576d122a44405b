namespace DyCompile.Testing;

/// <summary>Thrown by <see cref="RuleSoundness.Check"/> when a rule's two sides disagree; the message is the counterexample.</summary>
public sealed class RuleSoundnessException(Counterexample counterexample) : Exception(counterexample.ToString())
{
    public Counterexample Counterexample { get; } = counterexample;
}
