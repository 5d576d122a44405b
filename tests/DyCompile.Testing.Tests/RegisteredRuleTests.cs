using DyCompile.Passes.Rules;

namespace DyCompile.Testing.Tests;

/// <summary>Every registered tensor rule passes the public soundness check, on instances derived from its pattern.</summary>
public sealed class RegisteredRuleTests
{
    public static TheoryData<string> RuleNames => [.. TensorRules.All.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Rule_is_sound(string name) => RuleSoundness.Check(TensorRules.Get(name), new SoundnessOptions { Tests = 60 });

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
