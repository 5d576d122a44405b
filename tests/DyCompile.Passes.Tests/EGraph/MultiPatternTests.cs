using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

public sealed class MultiPatternTests
{
    private static readonly Language Fg = new(
        [new("f", 1), new("g", 1), new("h", 1)],
        atom => char.IsLetter(atom[0]) ? new ENode("sym", atom) : null);

    private static EGraph<NoData> Build(params string[] terms)
    {
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Fg);
        foreach (var term in terms)
        {
            egraph.Add(term);
        }
        egraph.Rebuild();
        return egraph;
    }

    private static bool Same(EGraph<NoData> egraph, string a, string b) =>
        egraph.AreEquivalent(Term.Parse(Fg, a), Term.Parse(Fg, b));

    [Fact]
    public void Fires_only_where_both_patterns_match_with_the_shared_variable()
    {
        var egraph = Build("(f a)", "(g a)", "(f b)", "(g c)");
        var rule = Rewrite<NoData>.Parse(Fg, "f-g", "?x = (f ?a), ?y = (g ?a)", "?x = ?y");

        var match = Assert.Single(rule.Search(egraph));
        var subst = Assert.Single(match.Substs);
        Assert.Equal(egraph.Lookup(Term.Parse(Fg, "a")), subst["?a"]);

        var runner = new Runner<NoData>(egraph);
        Assert.Equal(StopReason.Saturated, runner.Run([rule]));
        Assert.True(Same(egraph, "(f a)", "(g a)"));
        Assert.False(Same(egraph, "(f b)", "(g c)"));
        Assert.False(Same(egraph, "(f a)", "(f b)"));
        Assert.Equal(1, runner.Iterations[0].Applied["f-g"]);
    }

    [Fact]
    public void The_applier_can_add_new_terms_under_fresh_variables()
    {
        var egraph = Build("(f a)", "(g a)", "(f b)", "(g c)", "(f c)");
        var rule = Rewrite<NoData>.Parse(Fg, "mark", "?x = (f ?a), ?y = (g ?a)", "?z = (h ?a)");

        new Runner<NoData>(egraph).Run([rule]);

        Assert.NotNull(egraph.Lookup(Term.Parse(Fg, "(h a)")));
        Assert.NotNull(egraph.Lookup(Term.Parse(Fg, "(h c)")));
        Assert.Null(egraph.Lookup(Term.Parse(Fg, "(h b)")));
    }

    [Fact]
    public void Unbound_variable_on_the_right_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Rewrite<NoData>.Parse(Fg, "bad", "?x = (f ?a), ?y = (g ?a)", "?x = (h ?b)"));

        Assert.Contains("?b", error.Message);
    }

    [Fact]
    public void Malformed_entries_name_the_position_in_the_whole_text()
    {
        var error = Assert.Throws<SExprSyntaxException>(() => MultiPattern.Parse(Fg, "?x = (f ?a), ?y = (g ?a ?a)"));

        Assert.Equal(19, error.Position);   // the operator g of the second entry, given two arguments
        Assert.Throws<SExprSyntaxException>(() => MultiPattern.Parse(Fg, "?x = (f ?a), (g ?a)"));
    }

    private static readonly Language Logic = new(
        [new("&", 2), new("|", 2), new("~", 1), new("->", 2), new("true", 0)],
        atom => char.IsLetter(atom[0]) ? new ENode("sym", atom) : null);

    [Fact]
    public void A_chain_of_equals_binds_every_pattern_to_one_class()
    {
        var chained = MultiPattern.Parse(Logic, "?v = true = (& (-> ?a ?b) (-> (~ ?a) ?c))");

        Assert.Equal(2, chained.Entries.Count);
        Assert.All(chained.Entries, e => Assert.Equal(new Var("?v"), e.Var));
        Assert.Equal("true", ((PatternNode.Node)chained.Entries[0].Pattern).Op);
        Assert.Equal("&", ((PatternNode.Node)chained.Entries[1].Pattern).Op);

        // egg's lem-imply: only a conjunction known to be true gives (| b c).
        var rule = Rewrite<NoData>.Parse(Logic, "lem-imply", "?v = true = (& (-> ?a ?b) (-> (~ ?a) ?c))", "?v = (| ?b ?c)");
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Logic);
        var known = egraph.Add("(& (-> a b) (-> (~ a) c))");
        egraph.Add("(& (-> d e) (-> (~ d) f))");
        egraph.Union(known, egraph.Add("true"));
        new Runner<NoData>(egraph).Run([rule]);

        Assert.True(egraph.AreEquivalent(Term.Parse(Logic, "(| b c)"), Term.Parse(Logic, "true")));
        Assert.Null(egraph.Lookup(Term.Parse(Logic, "(| e f)")));
    }

    [Fact]
    public void An_equals_inside_an_atom_is_not_a_separator()
    {
        var attrs = new Language([new("f", 1)], atom => new ENode("attr", atom));

        var pattern = MultiPattern.Parse(attrs, "?x = (f axis=1)");

        var entry = Assert.Single(pattern.Entries);
        Assert.Equal("axis=1", ((PatternNode.Node)((PatternNode.Node)entry.Pattern).Children[0]).Payload);
        Assert.Throws<SExprSyntaxException>(() => MultiPattern.Parse(Logic, "?v = true = "));
    }
}
