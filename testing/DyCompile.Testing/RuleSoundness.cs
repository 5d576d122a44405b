using DyCompile.Passes.Rules;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace DyCompile.Testing;

/// <summary>
/// The soundness property of a tensor rewrite rule, run as a property-based test: on random
/// instances of the rule's left side (derived from its pattern, see <see cref="LeftSideGenerator"/>)
/// with random values — small numbers, ±0, integers, large magnitudes, and NaN/±Inf when the rule
/// claims to keep them — the left side and the rule's right side, both run by the reference
/// interpreter, agree within the rule's kind and tolerance. A failure is shrunk to the smallest
/// left side and simplest values that still fail.
/// </summary>
/// <example><code>
/// [Fact]
/// public void My_rule_is_sound() =>
///     RuleSoundness.Check(TensorRule.Parse("relu-relu", RuleKind.Exact, "(relu (relu ?x))", "(relu ?x)").KeepsNonFinite());
/// </code></example>
public static class RuleSoundness
{
    /// <summary>Runs the property; throws <see cref="RuleSoundnessException"/> with the shrunk counterexample when it fails.</summary>
    public static void Check(TensorRule rule, SoundnessOptions? options = null)
    {
        var result = Run(rule, options);
        if (result.Counterexample is { } counterexample) throw new RuleSoundnessException(counterexample);
    }

    /// <summary>
    /// Runs the property and returns the outcome. Throws <see cref="NoInstanceException"/> when no
    /// instance the rule rewrites can be generated (then write them: <see cref="SoundnessOptions.Instances"/>),
    /// and <see cref="InvalidOperationException"/> naming the left side when the rule throws.
    /// </summary>
    public static SoundnessResult Run(TensorRule rule, SoundnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        options ??= SoundnessOptions.Default;
        var source = new InstanceSource(rule, options);
        var probe = options.Seed ?? 1;
        if (source.Generate(new Random(probe), options.MaxSize) is null)
            throw new NoInstanceException(
                $"rule {rule.Name}: no instance of its left side that the rule rewrites was found in {options.GenerationAttempts} candidates at size {options.MaxSize} (seed {probe}); write them with SoundnessOptions.Instances");

        // FsCheck's size runs 0..100; instances grow from size 1 to MaxSize with it.
        var gen = Gen.Sized(fsSize => Gen.Choose(0, int.MaxValue).Select(seed => source.Instance(seed, 1 + fsSize * options.MaxSize / 101)));
        var shrinker = new InstanceShrinker(rule, source.Generate);
        Counterexample? last = null;
        var passed = 0;
        var property = Prop.ForAll(Arb.From(gen, i => options.Shrink ? shrinker.Shrink(i) : []), (SoundnessInstance instance) =>
        {
            var failure = instance.Evaluate(rule);
            if (failure is null)
            {
                if (last is null) passed++;
                return true;
            }
            // FsCheck shrinks by moving to the first candidate that still fails, so the last
            // failure seen is the shrunk counterexample.
            last = failure;
            return false;
        });
        var config = Config.QuickThrowOnFailure.WithMaxTest(options.Tests).WithQuietOnSuccess(true).WithEndSize(100);
        if (options.Seed is { } s)
            config = config.WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd((ulong)s), FSharpOption<int>.None)));
        try
        {
            FsCheck.Check.One(config, property);
        }
        catch (Exception) when (last is not null)
        {
            // The failure is reported as the counterexample, not as FsCheck's message.
        }
        return new SoundnessResult(rule.Name, passed, last);
    }

    /// <summary>Rebuilds an instance from the seed and size a counterexample reports (before shrinking).</summary>
    public static SoundnessInstance Rebuild(TensorRule rule, int seed, int size, SoundnessOptions? options = null) =>
        new InstanceSource(rule, options ?? SoundnessOptions.Default).Instance(seed, size);
}
