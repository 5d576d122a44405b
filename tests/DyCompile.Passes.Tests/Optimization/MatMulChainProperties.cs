using DyCompile.IR;
using DyCompile.Passes.Optimization;
using FsCheck;
using FsCheck.Fluent;

namespace DyCompile.Passes.Tests.Optimization;

/// <summary>
/// The matrix-chain problem: for random chains of 3 or 4 matrices written in a random
/// parenthesization, the optimizer reaches the cost of the best parenthesization, found here by
/// building every parenthesization and costing it with the same cost model.
/// </summary>
public sealed class MatMulChainProperties
{
    [Fact]
    public void A_matmul_chain_reaches_the_cost_of_the_best_parenthesization()
    {
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), (int seed) =>
        {
            var random = new Random(seed);
            var count = random.Next(3, 5);
            var dims = Enumerable.Range(0, count + 1).Select(_ => random.Next(1, 33)).ToArray();
            var written = Build(dims, Trees(0, count - 1).OrderBy(_ => random.Next()).First());
            var best = Trees(0, count - 1).Min(t => CostModel.Default.OfGraph(Build(dims, t)));

            var result = GraphOptimizer.Optimize(written, new OptimizerOptions { Rules = [.. DyCompile.Passes.Rules.TensorRules.All.Where(r => r.Name.StartsWith("matmul-assoc", StringComparison.Ordinal))], IterationLimit = 10, TimeLimit = TimeSpan.FromMinutes(1) });
            Assert.Equal(best, result.Report.CostAfter);
            Assert.Equal(best, CostModel.Default.OfGraph(result.Graph));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true), property);
    }

    /// <summary>A parenthesization of matrices first..last: a leaf index or a pair of subtrees.</summary>
    private abstract record Tree;

    private sealed record Leaf(int Index) : Tree;

    private sealed record Product(Tree Left, Tree Right) : Tree;

    private static IEnumerable<Tree> Trees(int first, int last)
    {
        if (first == last)
        {
            yield return new Leaf(first);
            yield break;
        }
        for (var split = first; split < last; split++)
            foreach (var left in Trees(first, split))
                foreach (var right in Trees(split + 1, last))
                    yield return new Product(left, right);
    }

    private static Graph Build(int[] dims, Tree tree)
    {
        var g = new GraphBuilder("chain");
        var inputs = Enumerable.Range(0, dims.Length - 1).Select(i => g.Input($"m{i}", IRType.F32(dims[i], dims[i + 1]))).ToArray();
        Value Emit(Tree t) => t switch
        {
            Leaf l => inputs[l.Index],
            Product p => g.MatMul(Emit(p.Left), Emit(p.Right)),
            _ => throw new InvalidOperationException(),
        };
        return g.Build(Emit(tree));
    }
}
