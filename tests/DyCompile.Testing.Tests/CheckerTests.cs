using DyCompile.IR;
using DyCompile.Passes.EGraph;
using DyCompile.Passes.Rules;

namespace DyCompile.Testing.Tests;

/// <summary>The public checker rejects what is unsound, with a small counterexample, and accepts what is sound.</summary>
public sealed class CheckerTests
{
    private static readonly SoundnessOptions Quick = new() { Tests = 40, Seed = 7 };

    [Fact]
    public void An_unsound_rule_is_rejected_with_a_shrunk_counterexample()
    {
        var unsound = TensorRule.Parse("relu-is-abs", RuleKind.Exact, "(relu ?x)", "(abs ?x)");
        var e = Assert.Throws<RuleSoundnessException>(() => RuleSoundness.Check(unsound, Quick));
        var shrunk = e.Counterexample;
        var raw = RuleSoundness.Run(unsound, Quick with { Shrink = false }).Counterexample!;

        Assert.Contains("relu-is-abs", e.Message);
        Assert.Contains("relu", shrunk.LeftSide.ToString());
        // Shrinking reaches the smallest size and a left side no larger than the first failure's.
        Assert.Equal(1, shrunk.Size);
        Assert.True(shrunk.LeftSide.Nodes.Length <= raw.LeftSide.Nodes.Length);
        Assert.True(Elements(shrunk) <= 4, $"{Elements(shrunk)} elements left:\n{shrunk}");
        // Values are simplified: what is left that is not 0 or 1 is what makes relu and abs differ.
        Assert.True(NotSimple(shrunk) <= 1, shrunk.ToString());
        Assert.True(NotSimple(shrunk) <= NotSimple(raw));
        Assert.NotEmpty(shrunk.LeftResults);
        Assert.NotEqual(shrunk.LeftResults[0].ToFloatArray(), shrunk.RightResults[0].ToFloatArray());
    }

    [Fact]
    public void A_rule_off_by_rounding_that_claims_to_be_exact_is_rejected()
    {
        var almost = TensorRule.Parse("scale-is-identity", RuleKind.Exact, "(relu ?x)", m => Rhs.Call("relu", Rhs.Call("mul", m["?x"], Rhs.Scalar(1.0001f))));
        Assert.Throws<RuleSoundnessException>(() => RuleSoundness.Check(almost, Quick));
    }

    [Fact]
    public void A_rule_that_loses_NaN_is_rejected_when_it_claims_to_keep_it()
    {
        // x - x = 0 holds on finite values only.
        var rule = TensorRule.Parse("sub-self-exact", RuleKind.Exact, "(sub ?x ?x)", m => RuleSupportFilled(m)).KeepsNonFinite();
        var e = Assert.Throws<RuleSoundnessException>(() => RuleSoundness.Check(rule, Quick));
        Assert.Contains(e.Counterexample.Values.Values, t => t.ToFloatArray().Any(v => !float.IsFinite(v)));
    }

    [Fact]
    public void Where_the_left_side_is_undefined_on_finite_inputs_the_right_side_may_be_anything()
    {
        // This instance has σ² + ε = 0 in one channel: the left side's shift is 0·∞ = NaN there, the
        // folded right side's bias +∞. A real-number identity says nothing at that point.
        var rule = TensorRules.Get("batchnorm-into-linear");
        var instance = RuleSoundness.Rebuild(rule, 280211349, 5);
        Assert.Null(instance.Evaluate(rule));
    }

    [Fact]
    public void A_sound_rule_written_as_text_passes()
    {
        RuleSoundness.Check(TensorRule.Parse("relu-relu", RuleKind.Exact, "(relu (relu ?x))", "(relu ?x)").KeepsNonFinite(), Quick);
        // The example of docs/soundness.md.
        RuleSoundness.Check(TensorRule.Parse("square-of-abs", RuleKind.Exact, "(mul (abs ?x) (abs ?x))", "(mul ?x ?x)").KeepsNonFinite());
    }

    [Fact]
    public void A_text_rule_reuses_the_attributes_its_left_side_bound()
    {
        var rule = TensorRule.Parse("log-of-softmax", RuleKind.Rounding, "(log (softmax ?x ?d))", "(log_softmax ?x ?d)").RefinesUnderflowOfLeftSide();
        Assert.Equal("(log_softmax ?x ?d)", rule.RightPattern!.ToString());
        RuleSoundness.Check(rule, Quick);
        var wrong = TensorRule.Parse("softmax-is-log-softmax", RuleKind.Rounding, "(softmax ?x ?d)", "(log_softmax ?x ?d)");
        Assert.Throws<RuleSoundnessException>(() => RuleSoundness.Check(wrong, Quick));
    }

    [Fact]
    public void A_text_rule_with_an_unbound_variable_or_bad_syntax_is_refused()
    {
        Assert.Throws<ArgumentException>(() => TensorRule.Parse("bad", RuleKind.Exact, "(relu ?x)", "(add ?x ?y)"));
        Assert.Throws<ArgumentException>(() => TensorRule.Parse("bad", RuleKind.Exact, "(softmax ?x ?d)", "(log_softmax ?x (relu ?x))"));
        Assert.Throws<SExprSyntaxException>(() => TensorRule.Parse("bad", RuleKind.Exact, "(relu ?x)", "(relu ?x"));
        Assert.Throws<SExprSyntaxException>(() => TensorRule.Parse("bad", RuleKind.Exact, "(relu ?x)", "(no_such_op ?x)"));
    }

    [Fact]
    public void A_rule_that_throws_is_reported_with_the_left_side()
    {
        var throwing = TensorRule.Parse("throws", RuleKind.Exact, "(relu ?x)", m => m.T("?x").Shape[99] > 0 ? m["?x"] : null);
        var e = Assert.Throws<InvalidOperationException>(() => RuleSoundness.Check(throwing, Quick));
        Assert.Contains("throws", e.Message);
        Assert.Contains("relu", e.Message);
    }

    [Fact]
    public void A_rule_whose_instances_cannot_be_generated_says_so()
    {
        var never = TensorRule.Parse("never", RuleKind.Exact, "(relu ?x)", _ => null);
        var e = Assert.Throws<NoInstanceException>(() => RuleSoundness.Check(never, Quick with { GenerationAttempts = 50 }));
        Assert.Contains("SoundnessOptions.Instances", e.Message);
    }

    [Fact]
    public void Hand_written_instances_are_used_when_given()
    {
        var built = 0;
        var options = Quick with
        {
            Instances = (random, size) =>
            {
                built++;
                var g = new GraphBuilder("lhs");
                return g.Build(g.Relu(g.Relu(g.Input("x", IRType.F32(random.Next(1, size + 2))))));
            },
        };
        RuleSoundness.Check(TensorRules.Get("relu-relu"), options);
        Assert.True(built >= options.Tests);
    }

    [Fact]
    public void Derived_instances_are_valid_graphs_the_rule_rewrites()
    {
        var random = new Random(3);
        foreach (var rule in TensorRules.All.Where(r => !HandWrittenInstances.ByRule.ContainsKey(r.Name)))
        {
            var lhs = LeftSideGenerator.Generate(rule, random, SoundnessOptions.Default.MaxSize);
            Assert.True(lhs is not null, $"no instance of {rule.Name}");
            Assert.Empty(Verifier.Errors(lhs!.ToProgram()));
            Assert.True(RuleApplication.Fires(rule, lhs), rule.Name);
        }
    }

    [Fact]
    public void A_failure_is_reproducible_from_its_seed_and_size()
    {
        var unsound = TensorRule.Parse("relu-is-abs", RuleKind.Exact, "(relu ?x)", "(abs ?x)");
        var first = RuleSoundness.Run(unsound, Quick with { Shrink = false }).Counterexample!;
        var again = RuleSoundness.Rebuild(unsound, first.Seed, first.Size);
        Assert.Equal(first.LeftSide.ToString(), again.Application.LeftSide.ToString());
        Assert.NotNull(again.Evaluate(unsound));
    }

    private static Rhs? RuleSupportFilled(RuleMatch m) =>
        m.RootData.Tensor is { IsStatic: true } t
            ? t.Rank == 0 ? new Rhs.Literal(ConstValue.Filled(t, 0)) : Rhs.Call("expand", new Attrs { { "shape", t.Shape.ToArray() } }, new Rhs.Literal(ConstValue.Filled(new TensorType(t.DType, []), 0)))
            : null;

    private static long Elements(Counterexample c) => c.Values.Values.Sum(t => (long)t.Length);

    private static int NotSimple(Counterexample c) => c.Values.Values.Sum(t => t.ToFloatArray().Count(v => v is not (0 or 1)));
}
