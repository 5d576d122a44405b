using DyCompile.IR;

namespace DyCompile.Testing;

/// <summary>Settings of <see cref="RuleSoundness.Check"/>.</summary>
public sealed record SoundnessOptions
{
    public static SoundnessOptions Default { get; } = new();

    /// <summary>Random instances to check (each a left side and its input values).</summary>
    public int Tests { get; init; } = 100;

    /// <summary>
    /// The largest instance size: size s allows dims up to 1 + s/2 and ranks up to 2 + s/2 (at most 4).
    /// Instances grow from size 1 to this as the tests go on.
    /// </summary>
    public int MaxSize { get; init; } = 6;

    /// <summary>Shrink a counterexample to the smallest left side and simplest values found.</summary>
    public bool Shrink { get; init; } = true;

    /// <summary>Candidates tried for one instance before giving up on it (generate and filter).</summary>
    public int GenerationAttempts { get; init; } = 4000;

    /// <summary>
    /// A hand-written left-side builder, for a rule whose condition random generation cannot meet:
    /// given a random source and a size, a graph whose outputs are left sides the rule rewrites.
    /// Null derives instances from the rule's pattern (see <see cref="LeftSideGenerator"/>).
    /// </summary>
    public Func<Random, int, Graph?>? Instances { get; init; }

    /// <summary>The seed of the instance seeds; null draws one, so each run explores new instances.</summary>
    public int? Seed { get; init; }
}
