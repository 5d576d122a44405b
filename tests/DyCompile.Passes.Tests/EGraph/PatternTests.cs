using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

public sealed class PatternTests
{
    private static readonly Language Math = MathLanguage.Language;

    [Theory]
    [InlineData("(+ ?a (* ?b 0)", 0, "unclosed '('")]
    [InlineData("(+ ?a (* ?b 0", 6, "unclosed '('")]
    [InlineData("(+ ?a ?b))", 9, "unexpected ')'")]
    [InlineData("  )", 2, "unexpected ')'")]
    [InlineData("(+ ?a ?b ?c)", 1, "operator '+' takes 2 argument(s) but is given 3")]
    [InlineData("(+ ?a (foo ?b))", 7, "unknown operator 'foo'")]
    [InlineData("(+ ? a)", 3, "a variable needs a name")]
    [InlineData("(+ a ())", 5, "empty list")]
    [InlineData("(+ a $)", 5, "'$' is not an atom")]
    [InlineData("(?f a b)", 1, "a variable ('?f') cannot be an operator")]
    [InlineData("((+ a b) c)", 1, "expected an operator name")]
    [InlineData("(+ a +)", 5, "operator '+' takes 2 argument(s) and must be written in a list")]
    [InlineData("   ", 3, "expected an expression")]
    public void Malformed_patterns_name_the_position(string text, int position, string problem)
    {
        var error = Assert.Throws<SExprSyntaxException>(() => Pattern.Parse(Math, text));

        Assert.Equal(position, error.Position);
        Assert.StartsWith(problem, error.Problem);
        Assert.EndsWith($"at position {position}", error.Message);
    }

    [Fact]
    public void Terms_reject_variables_with_the_position()
    {
        var error = Assert.Throws<SExprSyntaxException>(() => Term.Parse(Math, "(+ a ?b)"));

        Assert.Equal(5, error.Position);
    }

    [Fact]
    public void Terms_print_back_as_they_were_written()
    {
        const string text = "(+ (* -1.5 x) (d x (pow y 2)))";

        Assert.Equal(text, MathLanguage.Parse(text).ToString());
        Assert.Equal(MathLanguage.Parse(text), MathLanguage.Parse(" (+  (* -1.5 x)\n(d x (pow y 2)) ) "));
    }

    [Fact]
    public void A_rule_whose_right_side_uses_an_unbound_variable_is_rejected_when_built()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Rewrite<NoData>.Parse(Math, "bad-add", "(+ ?a 0)", "(+ ?a ?b)"));

        Assert.Contains("rule 'bad-add'", error.Message);
        Assert.Contains("?b", error.Message);
        Assert.DoesNotContain("?a", error.Message);
    }

    [Fact]
    public void A_bidirectional_rule_checks_both_directions()
    {
        Assert.Equal(2, Rewrite<NoData>.Bidirectional(Math, "comm", "(+ ?a ?b)", "(+ ?b ?a)").Length);

        var error = Assert.Throws<ArgumentException>(() =>
            Rewrite<NoData>.Bidirectional(Math, "zero-mul", "(* ?a 0)", "0"));
        Assert.Contains("rule 'zero-mul-rev'", error.Message);
        Assert.Contains("?a", error.Message);
    }

    [Fact]
    public void Repeated_variables_match_one_class_up_to_unions()
    {
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Math);
        var same = egraph.Add("(+ x x)");
        var different = egraph.Add("(+ x y)");
        egraph.Rebuild();
        var pattern = Pattern.Parse(Math, "(+ ?a ?a)");

        Assert.Equal([same], pattern.Search(egraph).Select(m => m.EClass));

        egraph.Union(egraph.Add("x"), egraph.Add("y"));
        egraph.Rebuild();

        var match = Assert.Single(pattern.Search(egraph));   // (+ x x) and (+ x y) are now one class
        Assert.Equal(egraph.Find(different), match.EClass);
        Assert.Equal(egraph.Find(egraph.Add("x")), Assert.Single(match.Substs)["?a"]);
    }

    [Fact]
    public void Ground_subterms_and_payloads_must_match_exactly()
    {
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Math);
        var zero = egraph.Add("(* (+ a b) 0)");
        egraph.Add("(* (+ a b) 1)");
        var sum = egraph.Add("(* c (+ a b))");
        egraph.Rebuild();

        Assert.Equal([zero], Pattern.Parse(Math, "(* ?x 0)").Search(egraph).Select(m => m.EClass));
        Assert.Equal([sum], Pattern.Parse(Math, "(* ?x (+ a b))").Search(egraph).Select(m => m.EClass));
        Assert.Empty(Pattern.Parse(Math, "(* ?x (+ b a))").Search(egraph));
    }

    [Fact]
    public void Search_respects_its_limit()
    {
        var egraph = SumLanguage.NewEGraph(6);
        egraph.Rebuild();

        var matches = Pattern.Parse(SumLanguage.Language, "(+ ?a ?b)").Search(egraph, limit: 3);

        Assert.Equal(3, matches.Sum(m => m.Substs.Count));
    }

    [Fact]
    public void Searching_an_unrebuilt_egraph_is_refused()
    {
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Math);
        egraph.Add("(+ x y)");

        Assert.Throws<InvalidOperationException>(() => Pattern.Parse(Math, "(+ ?a ?b)").Search(egraph));
    }
}
