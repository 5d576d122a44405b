using DyCompile.Passes.Rules;

namespace DyCompile.Testing.Tests;

/// <summary>
/// Every registered tensor rule passes the public soundness check, on instances derived from its
/// pattern, or written by hand where generation cannot meet the rule's condition (<see cref="HandWrittenInstances"/>).
/// </summary>
public sealed class RegisteredRuleTests
{
    public static TheoryData<string> RuleNames => [.. TensorRules.All.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Rule_is_sound(string name) =>
        RuleSoundness.Check(TensorRules.Get(name), HandWrittenInstances.For(name, new SoundnessOptions { Tests = 60 }));

    [Fact]
    public void Hand_written_instances_are_kept_only_for_registered_rules_that_need_them()
    {
        foreach (var name in HandWrittenInstances.ByRule.Keys)
        {
            var rule = TensorRules.Get(name);
            Assert.Throws<NoInstanceException>(() => RuleSoundness.Run(rule, new SoundnessOptions { Tests = 1, GenerationAttempts = 200 }));
        }
    }

    [Fact]
    public void Rule_names_are_unique_and_every_rule_says_what_it_does()
    {
        Assert.Equal(TensorRules.All.Count, TensorRules.All.Select(r => r.Name).Distinct().Count());
        Assert.All(TensorRules.All, r => Assert.False(string.IsNullOrWhiteSpace(r.Description), $"{r.Name} has no description"));
    }

    [Fact]
    public void Fast_math_rules_are_off_by_default()
    {
        Assert.Contains(TensorRules.All, r => r.IsFastMath);
        Assert.DoesNotContain(TensorRules.Default, r => r.IsFastMath);
        Assert.True(TensorRules.Get("mul-zero").IsFastMath);
        Assert.True(TensorRules.Get("sub-self").IsFastMath);
    }
}
