using DyCompile.IR;
using DyCompile.Passes.Rules;

namespace DyCompile.Testing;

/// <summary>
/// Measures how strong the soundness property of a rule is: every mutant of its right side (see
/// <see cref="MutationKind"/>) is checked on instances of the original rule's left side, and a
/// mutant that changes the function should be rejected.
/// </summary>
public static class MutationCheck
{
    /// <summary>
    /// The outcome of every mutant of <paramref name="rule"/>; <paramref name="write"/> builds the
    /// left sides for a rule whose instances cannot be derived (as <see cref="SoundnessOptions.Instances"/>).
    /// </summary>
    public static IReadOnlyList<MutantResult> Run(TensorRule rule, int instances = 32, int tests = 30, int seed = 1, Func<Random, int, Graph?>? write = null)
    {
        var pool = Instances(rule, instances, seed, write);
        if (pool.Count == 0) throw new InvalidOperationException($"rule {rule.Name}: no instance of its left side was generated");
        var sites = new Dictionary<MutationKind, int>();
        foreach (var lhs in pool)
        {
            foreach (var result in Results(rule, lhs))
                foreach (var (kind, count) in RuleMutant.Sites(result))
                    sites[kind] = Math.Max(sites.GetValueOrDefault(kind), count);
        }
        var outcomes = new List<MutantResult>();
        foreach (var (kind, count) in sites)
        {
            for (var site = 0; site < count; site++)
            {
                var mutant = new RuleMutant(rule, kind, site);
                outcomes.Add(Check(mutant, pool, tests, seed, write));
            }
        }
        return outcomes;
    }

    private static MutantResult Check(RuleMutant mutant, IReadOnlyList<Graph> pool, int tests, int seed, Func<Random, int, Graph?>? write)
    {
        var rule = mutant.ToRule();
        try
        {
            var fired = pool.Where(lhs => RuleApplication.Fires(rule, lhs)).ToArray();
            if (fired.Length == 0) return new MutantResult(mutant, MutationOutcome.Stillborn, null);
            // Instances derived for the mutant itself are the fair test: among the original's, the
            // mutant may type-check only on degenerate ones (a dim of 1) where it is harmless.
            var options = new SoundnessOptions { Tests = tests, Shrink = false, Seed = seed, GenerationAttempts = 200, Instances = write };
            SoundnessResult result;
            try
            {
                result = RuleSoundness.Run(rule, options);
            }
            catch (NoInstanceException)
            {
                result = RuleSoundness.Run(rule, options with { Instances = (random, _) => fired[random.Next(fired.Length)] });
            }
            return new MutantResult(mutant, result.Sound ? MutationOutcome.Survived : MutationOutcome.Killed, result.Counterexample, fired.Length, fired[0]);
        }
        catch (InvalidOperationException)
        {
            // The mutant threw while proposing: the optimizer would stop, so the check rejects it.
            return new MutantResult(mutant, MutationOutcome.Killed, null);
        }
    }

    private static List<Graph> Instances(TensorRule rule, int count, int seed, Func<Random, int, Graph?>? write)
    {
        var random = new Random(seed);
        var pool = new List<Graph>();
        var options = SoundnessOptions.Default;
        for (var i = 0; pool.Count < count && i < count * 2; i++)
        {
            var size = 1 + i % options.MaxSize;
            var lhs = write is not null ? write(random, size) : LeftSideGenerator.Generate(rule, random, size, size < options.MaxSize ? 200 : options.GenerationAttempts);
            if (lhs is not null && RuleApplication.Fires(rule, lhs)) pool.Add(lhs);
        }
        return pool;
    }

    private static IEnumerable<RuleResult> Results(TensorRule rule, Graph lhs)
    {
        var encoding = GraphEncoding.Encode(lhs, new TensorAnalysis());
        var egraph = encoding.EGraph;
        return rule.Searcher.Search(egraph)
            .SelectMany(m => m.Substs.Select(s => rule.Propose(egraph, m.EClass, s)))
            .OfType<RuleResult>()
            .ToArray();
    }
}
