namespace DyCompile.Testing;

/// <summary>The outcome of <see cref="RuleSoundness.Run"/>: how many instances passed, and the shrunk counterexample if one failed.</summary>
public sealed record SoundnessResult(string Rule, int Passed, Counterexample? Counterexample)
{
    public bool Sound => Counterexample is null;
}
