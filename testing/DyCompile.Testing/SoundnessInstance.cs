using System.Globalization;
using DyCompile.IR;
using DyCompile.Passes.Hashing;
using DyCompile.Passes.Rules;
using DyCompile.Runtime;

namespace DyCompile.Testing;

/// <summary>
/// One test of a rule: a left side it rewrites, values for the inputs and weights, and where it
/// came from (seed and size, so it can be rebuilt).
/// </summary>
public sealed record SoundnessInstance(RuleApplication Application, IReadOnlyList<Tensor> Inputs, IReadOnlyDictionary<string, Tensor> Weights, int Seed, int Size)
{
    /// <summary>Graph nodes plus input and weight elements: what shrinking makes smaller.</summary>
    public long Weight =>
        Application.LeftSide.Nodes.Length * 1000L + Inputs.Sum(t => (long)t.Length) + Weights.Values.Sum(t => (long)t.Length);

    /// <summary>Samples values for an application's inputs and weights with the rule's value domain.</summary>
    public static SoundnessInstance Sample(TensorRule rule, RuleApplication application, Random random, int seed, int size)
    {
        var values = new ValueSampler(random, rule.PreservesNonFinite, moderate: rule.IsFastMath);
        var both = application.BothSides;
        var inputs = both.Inputs.Select(v => values.Sample((TensorType)v.Type)).ToArray();
        var weights = both.Weights.ToDictionary(w => w.Name, w => values.Sample((TensorType)w.Type));
        return new SoundnessInstance(application, inputs, weights, seed, size);
    }

    /// <summary>Runs both sides in the reference interpreter; null when they agree within the rule's kind and tolerance.</summary>
    public Counterexample? Evaluate(TensorRule rule)
    {
        var both = Application.BothSides;
        IReadOnlyList<object> results;
        double largest;
        try
        {
            results = new Interpreter().Run(both, [.. Inputs], Weights);
            largest = rule.Kind == RuleKind.Rounding ? LargestIntermediate(both) : 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failure(rule, [], [], $"the reference interpreter failed: {e.Message}");
        }
        // Rounding error of a sum is relative to its addends, not to the (possibly cancelled)
        // result: a·c + b·c and (a + b)·c with |a·c| ≈ 5000 and a result ≈ 4 differ by ~1e-3. So a
        // rounding rule's tolerance also scales with the largest magnitude computed on either side.
        var absolute = rule.Tolerance.Absolute + rule.Tolerance.Relative * largest;
        for (var i = 0; i + 1 < results.Count; i += 2)
        {
            var expected = (Tensor)results[i];
            var actual = (Tensor)results[i + 1];
            var compared = rule.RefinesUnderflow ? RefineUnderflow(expected, actual) : expected;
            if (!rule.PreservesNonFinite) compared = RefineUndefined(compared, actual);
            if (OutputComparison.Difference(compared, actual, rule.Tolerance.Relative, absolute) is { } difference)
                return Failure(rule, [.. results.Where((_, j) => j % 2 == 0).Cast<Tensor>()], [.. results.Where((_, j) => j % 2 == 1).Cast<Tensor>()], $"rewrite {i / 2}: {difference}");
        }
        return null;
    }

    private Counterexample Failure(TensorRule rule, IReadOnlyList<Tensor> left, IReadOnlyList<Tensor> right, string difference)
    {
        var inputs = Application.BothSides.Inputs.Select((v, i) => (v.Name, Inputs[i]))
            .Concat(Application.BothSides.Weights.Select(w => (w.Name, Weights[w.Name])))
            .ToDictionary(p => p.Item1, p => p.Item2);
        return new Counterexample(rule.Name, Application.LeftSide, Application.BothSides, inputs, left, right, difference, Seed, Size);
    }

    /// <summary>The largest finite magnitude among the f32 values every node of <paramref name="graph"/> computes.</summary>
    private double LargestIntermediate(Graph graph)
    {
        var everything = graph.Nodes.SelectMany(n => n.Results).Where(v => v.Type is TensorType { DType: DType.Float32 }).ToArray();
        var all = new Graph(graph.Name, graph.Inputs, graph.Weights, graph.Nodes, everything);
        var largest = 0.0;
        foreach (var value in new Interpreter().Run(all, [.. Inputs], Weights).OfType<Tensor>())
            foreach (var x in value.ToFloatArray())
                if (float.IsFinite(x)) largest = Math.Max(largest, Math.Abs(x));
        return largest;
    }

    /// <summary>Where the left side is below log of the smallest normal float, the right side may be anything below that too.</summary>
    private static Tensor RefineUnderflow(Tensor expected, Tensor actual)
    {
        var floats = expected.ToFloatArray();
        var rhs = actual.ToFloatArray();
        var underflow = MathF.Log(1.17549435e-38f);
        for (var i = 0; i < floats.Length; i++)
            if (floats[i] < underflow && rhs[i] < underflow) floats[i] = rhs[i];
        return Tensor.FromArray(floats, expected.ShapeArray());
    }

    /// <summary>
    /// A rule that claims agreement on finite inputs only makes no claim where the left side, from
    /// those inputs, computed NaN: that is outside the real function's domain (0·∞, ∞ − ∞, √ of a
    /// negative — batch-norm with σ² + ε = 0), where the right side may compute anything.
    /// </summary>
    private static Tensor RefineUndefined(Tensor expected, Tensor actual)
    {
        if (expected.DType != DType.Float32 || actual.DType != DType.Float32) return expected;
        var floats = expected.ToFloatArray();
        if (!floats.Any(float.IsNaN)) return expected;
        var rhs = actual.ToFloatArray();
        if (rhs.Length != floats.Length) return expected;
        for (var i = 0; i < floats.Length; i++)
            if (float.IsNaN(floats[i])) floats[i] = rhs[i];
        return Tensor.FromArray(floats, expected.ShapeArray());
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"instance (seed {Seed}, size {Size}):\n{Application.LeftSide}\ninputs: {string.Join("; ", Inputs.Select(t => string.Join(", ", t.ToFloatArray())))}");
}
