namespace DyCompile.Testing;

/// <summary>What the soundness check made of one mutant.</summary>
public enum MutationOutcome
{
    /// <summary>The check found a counterexample (or the mutant threw).</summary>
    Killed,

    /// <summary>The mutant fired and the check passed: the property is too weak, or the mutant computes the same function.</summary>
    Survived,

    /// <summary>The mutant never fired: every proposal changed a type, or the site does not exist on these instances.</summary>
    Stillborn,
}

/// <summary>One mutant and its outcome: on how many of the instances it fired, and the first of them.</summary>
public sealed record MutantResult(RuleMutant Mutant, MutationOutcome Outcome, Counterexample? Counterexample, int FiredOn = 0, IR.Graph? Example = null);
