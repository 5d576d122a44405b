using DyCompile.Passes.Rules;
using Xunit.Abstractions;

namespace DyCompile.Testing.Tests;

/// <summary>
/// The soundness check is strong enough to matter: mutants of every registered rule's right side
/// (operands swapped, a term dropped, a constant, axis or transpose changed, the result negated)
/// are rejected. The survivors seen are mutants that type-check only where they compute the same
/// values (see docs/soundness.md): the negation of a zero, a conv stride or dilation changed where
/// the output has one position, an axis −1 changed to 0 on a 1-D value, reduction dims reversed,
/// a slice whose changed dim, end or step keeps its type (then it takes the same elements).
/// </summary>
public sealed class MutationTests(ITestOutputHelper output)
{
    private const double RequiredKillRate = 0.80;

    [Fact]
    public void The_checker_kills_the_mutants_of_every_rule()
    {
        var byRule = TensorRules.All.AsParallel().WithDegreeOfParallelism(2)
            .Select(r => (r.Name, Results: MutationCheck.Run(r, write: HandWrittenInstances.ByRule.GetValueOrDefault(r.Name))))
            .ToDictionary(p => p.Name, p => p.Results);
        var results = byRule.Values.SelectMany(r => r).ToArray();
        var killed = results.Count(r => r.Outcome == MutationOutcome.Killed);
        var survived = results.Where(r => r.Outcome == MutationOutcome.Survived).ToArray();
        var stillborn = results.Count(r => r.Outcome == MutationOutcome.Stillborn);
        var rate = (double)killed / (killed + survived.Length);
        output.WriteLine($"rules {TensorRules.All.Count}, mutants {results.Length}: killed {killed}, survived {survived.Length}, stillborn (never type-checked) {stillborn}");
        output.WriteLine($"kill rate {rate:P1} of {killed + survived.Length} mutants that fire");
        foreach (var s in survived) output.WriteLine($"survived: {s.Mutant} (fired on {s.FiredOn} instances)");

        Assert.True(rate >= RequiredKillRate, $"kill rate {rate:P1} is below {RequiredKillRate:P0}");
        // No rule's property is blind: where some mutant of a rule fires, some mutant is killed.
        var blind = byRule.Where(p => p.Value.Any(r => r.Outcome == MutationOutcome.Survived) && p.Value.All(r => r.Outcome != MutationOutcome.Killed)).Select(p => p.Key).ToArray();
        Assert.True(blind.Length == 0, $"rules none of whose mutants is killed: {string.Join(", ", blind)}");
    }
}
