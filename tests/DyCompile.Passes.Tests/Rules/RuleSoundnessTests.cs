using DyCompile.IR;
using DyCompile.Passes.Hashing;
using DyCompile.Passes.Rules;
using DyCompile.Runtime;
using FsCheck;
using FsCheck.Fluent;

namespace DyCompile.Passes.Tests.Rules;

/// <summary>
/// Soundness of every tensor rule: on random left-side instances (random shapes meeting the
/// rule's condition) and random values — negative, zero, large, and NaN/Inf where the rule
/// claims to keep them — the left side and the rule's right side, both run by the reference
/// interpreter, agree within the rule's stated tolerance.
/// </summary>
public sealed class RuleSoundnessTests
{
    private const int CasesPerRule = 60;

    public static TheoryData<string> RuleNames => [.. TensorRules.All.Select(r => r.Name)];

    [Fact]
    public void Every_registered_rule_has_a_soundness_property()
    {
        var missing = TensorRules.All.Select(r => r.Name).Where(n => !RuleCases.All.ContainsKey(n)).ToArray();
        Assert.True(missing.Length == 0, $"rules without a soundness property: {string.Join(", ", missing)}");
        var stale = RuleCases.All.Keys.Where(n => TensorRules.All.All(r => r.Name != n)).ToArray();
        Assert.True(stale.Length == 0, $"properties of rules that are not registered: {string.Join(", ", stale)}");
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

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Rule_is_sound(string name)
    {
        var rule = TensorRules.Get(name);
        var ruleCase = RuleCases.All[name];
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), (int seed) => CheckInstance(rule, ruleCase, seed));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(CasesPerRule).WithQuietOnSuccess(true), property);
    }

    /// <summary>Builds one instance, applies the rule's proposals at its matches, and compares both sides.</summary>
    internal static void CheckInstance(TensorRule rule, RuleCase ruleCase, int seed)
    {
        var random = new Random(seed);
        var lhs = ruleCase.Build(random);
        var encoding = GraphEncoding.Encode(lhs, new TensorAnalysis());
        var egraph = encoding.EGraph;
        var proposals = rule.Searcher.Search(egraph)
            .SelectMany(m => m.Substs.Select(s => rule.Propose(egraph, m.EClass, s)))
            .Where(p => p is not null)
            .SelectMany(p => p!.Rewrites)
            .ToArray();
        var roots = encoding.Outputs.Select(egraph.Find).ToHashSet();
        Assert.True(proposals.Any(p => roots.Contains(egraph.Find(p.Target))), $"{rule.Name} did not fire on its own left side:\n{lhs}");

        // One graph computing each target (through its original node) and each proposed right side.
        var writer = new GraphWriter(egraph, lhs, id => egraph[id].Nodes[0]);
        var outputs = proposals.SelectMany(p => new[] { writer.Emit(p.Target), writer.Emit(p.Rhs) }).ToArray();
        var both = writer.Build(outputs);

        var values = new ValueSampler(random, rule.PreservesNonFinite, moderate: rule.IsFastMath);
        var inputs = both.Inputs.Select(v => values.Sample((TensorType)v.Type)).ToArray();
        var weights = both.Weights.ToDictionary(w => w.Name, w => values.Sample((TensorType)w.Type));
        var results = new Interpreter().Run(both, inputs, weights);
        // Rounding error of a sum is relative to its addends, not to the (possibly cancelled)
        // result: a·c + b·c and (a + b)·c with |a·c| ≈ 5000 and a result ≈ 4 differ by ~1e-3. So a
        // rounding rule's tolerance also scales with the largest magnitude computed on either side.
        var absolute = rule.Tolerance.Absolute + (rule.Kind == RuleKind.Rounding ? rule.Tolerance.Relative * LargestIntermediate(both, inputs, weights) : 0);
        for (var i = 0; i < results.Count; i += 2)
        {
            var expected = (Tensor)results[i];
            var actual = (Tensor)results[i + 1];
            if (ruleCase.UnderflowRefined) expected = Refine(expected, actual);
            var difference = OutputComparison.Difference(expected, actual, rule.Tolerance.Relative, absolute);
            Assert.True(difference is null, $"{rule.Name} (seed {seed}): {difference}\nleft side and right side:\n{both}\ninputs: {string.Join("; ", inputs.Select(t => string.Join(", ", t.ToFloatArray())))}");
        }
    }

    /// <summary>The largest finite magnitude among the f32 values every node of <paramref name="graph"/> computes.</summary>
    private static double LargestIntermediate(Graph graph, IReadOnlyList<Tensor> inputs, IReadOnlyDictionary<string, Tensor> weights)
    {
        var everything = graph.Nodes.SelectMany(n => n.Results).Where(v => v.Type is TensorType { DType: DType.Float32 }).ToArray();
        var all = new Graph(graph.Name, graph.Inputs, graph.Weights, graph.Nodes, everything);
        var largest = 0.0;
        foreach (var value in new Interpreter().Run(all, inputs, weights).Cast<Tensor>())
            foreach (var x in value.ToFloatArray())
                if (float.IsFinite(x)) largest = Math.Max(largest, Math.Abs(x));
        return largest;
    }

    /// <summary>
    /// Where softmax underflowed (to 0 or a subnormal, so the left side is −inf or imprecise: below
    /// log of the smallest normal float), the right side may be any value below that too.
    /// </summary>
    private static Tensor Refine(Tensor expected, Tensor actual)
    {
        var floats = expected.ToFloatArray();
        var rhs = actual.ToFloatArray();
        var underflow = MathF.Log(1.17549435e-38f); // the smallest normal float
        for (var i = 0; i < floats.Length; i++)
            if (floats[i] < underflow && rhs[i] < underflow) floats[i] = rhs[i];
        return Tensor.FromArray(floats, expected.ShapeArray());
    }
}

/// <summary>
/// Random f32 values: mostly small, with zeros (±0), integers, large magnitudes (up to 1e4) and,
/// when asked, NaN and ±Inf. Fast-math rules get moderate values only (they claim no more).
/// </summary>
internal sealed class ValueSampler(Random random, bool nonFinite, bool moderate)
{
    public Tensor Sample(TensorType type)
    {
        var shape = type.Shape.ToArray();
        var values = new float[shape.Aggregate(1, (n, d) => n * d)];
        for (var i = 0; i < values.Length; i++) values[i] = Next();
        return Tensor.FromArray(values, shape);
    }

    private float Next()
    {
        if (moderate) return (float)(random.NextDouble() * 4 - 2);
        return random.Next(20) switch
        {
            0 => 0f,
            1 => -0f,
            2 or 3 => random.Next(-4, 5),
            4 or 5 => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(2, 5))),
            6 when nonFinite => float.NaN,
            7 when nonFinite => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
            _ => (float)(random.NextDouble() * 6 - 3),
        };
    }
}
