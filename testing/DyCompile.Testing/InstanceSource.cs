using DyCompile.IR;
using DyCompile.Passes.Rules;

namespace DyCompile.Testing;

/// <summary>
/// Where the instances of one check come from: the hand-written builder of the options, or the
/// generator derived from the rule. Remembers the sizes at which no instance exists (a conv2d
/// needs rank 4), so they are not searched again.
/// </summary>
internal sealed class InstanceSource(TensorRule rule, SoundnessOptions options)
{
    private const int HandWrittenAttempts = 32;
    private volatile int _floor = 1;

    public int MaxSize => options.MaxSize;

    /// <summary>The rule's proposals on one random left side of <paramref name="size"/>, or null when none was found.</summary>
    public RuleApplication? Generate(Random random, int size)
    {
        if (size < _floor) return null;
        var application = options.Instances is { } write ? HandWritten(write, random, size) : Derived(random, size);
        if (application is null && size < options.MaxSize && size == _floor) _floor = size + 1;
        return application;
    }

    /// <summary>An instance of at least <paramref name="size"/>, growing the size while none exists.</summary>
    public SoundnessInstance Instance(int seed, int size)
    {
        var random = new Random(seed);
        for (var s = Math.Clamp(Math.Max(size, _floor), 1, options.MaxSize); s <= options.MaxSize; s++)
        {
            if (Generate(random, s) is { } application) return SoundnessInstance.Sample(rule, application, random, seed, s);
        }
        throw new NoInstanceException($"rule {rule.Name}: no instance of its left side that the rule rewrites was found for seed {seed}");
    }

    private RuleApplication? HandWritten(Func<Random, int, Graph?> write, Random random, int size)
    {
        for (var i = 0; i < HandWrittenAttempts; i++)
            if (write(random, size) is { } lhs && RuleApplication.TryOf(rule, lhs) is { } application) return application;
        return null;
    }

    private RuleApplication? Derived(Random random, int size) =>
        LeftSideGenerator.Generate(rule, random, size, options.GenerationAttempts) is { } lhs ? RuleApplication.TryOf(rule, lhs) : null;
}
