using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

public sealed class ExtractionTests
{
    private static readonly Language Shapes = new(
        [new("p", 2), new("q", 3), new("k", 6)],
        atom => char.IsLetter(atom[0]) ? new ENode("sym", atom) : null);

    /// <summary>
    /// One class holding (p S S) with S = (q a b c), and (k a b c d e f). As trees: 1 + 4 + 4 = 9
    /// against 7, so the tree picks k. As DAGs S is paid once: 1 + 4 = 5 against 7, so p wins.
    /// </summary>
    private static (EGraph<NoData> EGraph, EClassId Root) SharedChoice()
    {
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Shapes);
        var shared = egraph.Add("(p (q a b c) (q a b c))");
        var flat = egraph.Add("(k a b c d e f)");
        egraph.Union(shared, flat);
        egraph.Rebuild();
        return (egraph, egraph.Find(shared));
    }

    [Fact]
    public void Tree_cost_pays_for_a_shared_subterm_twice()
    {
        var (egraph, root) = SharedChoice();

        var (cost, term) = new TreeExtractor<NoData>(egraph, CostFunctions.AstSize).FindBest(root);

        Assert.Equal(7, cost);
        Assert.Equal(Term.Parse(Shapes, "(k a b c d e f)"), term);
    }

    [Fact]
    public void Dag_cost_pays_for_a_shared_subterm_once_and_changes_the_choice()
    {
        var (egraph, root) = SharedChoice();

        var result = new DagExtractor<NoData>(egraph, _ => 1).Extract(root);

        Assert.True(result.IsExact);
        Assert.Equal(5, result.Cost);
        var term = result.TermOf(root);
        Assert.Equal(Term.Parse(Shapes, "(p (q a b c) (q a b c))"), term);
        Assert.Same(term.Children[0], term.Children[1]);
    }

    [Fact]
    public void Over_budget_the_dag_extractor_falls_back_and_says_so()
    {
        var (egraph, root) = SharedChoice();

        // No budget: the greedy tree choice, costed as a DAG (7 distinct nodes).
        var greedy = new DagExtractor<NoData>(egraph, _ => 1, budget: 0).Extract(root);
        Assert.False(greedy.IsExact);
        Assert.Equal(7, greedy.Cost);

        // One refinement trial over the 7 chosen classes switches the root to p, but proves nothing.
        var refined = new DagExtractor<NoData>(egraph, _ => 1, budget: 7).Extract(root);
        Assert.False(refined.IsExact);
        Assert.Equal(5, refined.Cost);
    }

    [Fact]
    public void Tree_extraction_follows_a_user_cost_function()
    {
        var egraph = MathLanguage.NewEGraph();
        var root = egraph.Add("(* 2 x)");
        egraph.Union(root, egraph.Add("(+ x x)"));
        egraph.Rebuild();
        CostFunction expensiveMul = (node, childCost) =>
            (node.Op == "*" ? 10 : 1) + node.Children.Sum(childCost);

        var (cost, term) = new TreeExtractor<double?>(egraph, expensiveMul).FindBest(root);
        var (sizeCost, _) = new TreeExtractor<double?>(egraph, CostFunctions.AstSize).FindBest(root);

        Assert.Equal(MathLanguage.Parse("(+ x x)"), term);
        Assert.Equal(3, cost);
        Assert.Equal(3, sizeCost);
    }

    [Fact]
    public void Extraction_picks_a_finite_term_from_a_cyclic_class()
    {
        var egraph = MathLanguage.NewEGraph();
        var x = egraph.Add("x");
        var loop = egraph.Add("(* x 1)");
        egraph.Union(x, loop);   // the class now holds x and (* <itself> 1)
        egraph.Rebuild();

        Assert.Equal(MathLanguage.Parse("x"), new TreeExtractor<double?>(egraph, CostFunctions.AstSize).FindBest(x).Term);
        var dag = new DagExtractor<double?>(egraph, _ => 1).Extract(egraph.Find(x));
        Assert.Equal((1.0, true), (dag.Cost, dag.IsExact));
        Assert.Equal(MathLanguage.Parse("x"), dag.TermOf(egraph.Find(x)));
    }
}
