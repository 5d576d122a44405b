using DyCompile.IR;
using DyCompile.Passes.EGraph;
using DyCompile.Passes.Rules;

namespace DyCompile.Testing;

/// <summary>
/// A rule applied to one left-side graph: the rule's proposals at every match, written as one
/// graph whose outputs are, pair by pair, a rewritten value (through its original node) and the
/// right side the rule proposed for it.
/// </summary>
public sealed record RuleApplication(Graph LeftSide, Graph BothSides)
{
    /// <summary>Pairs of (left, right) outputs in <see cref="BothSides"/>.</summary>
    public int Pairs => BothSides.Outputs.Length / 2;

    /// <summary>The rule's proposals on <paramref name="lhs"/>, or null when it proposes nothing there.</summary>
    public static RuleApplication? Of(TensorRule rule, Graph lhs)
    {
        var encoding = GraphEncoding.Encode(lhs, new TensorAnalysis());
        var egraph = encoding.EGraph;
        var proposals = rule.Searcher.Search(egraph)
            .SelectMany(m => m.Substs.Select(s => rule.Propose(egraph, m.EClass, s)))
            .Where(p => p is not null)
            .SelectMany(p => p!.Rewrites)
            .ToArray();
        if (proposals.Length == 0) return null;
        // Any node of a class computes its value, but not every choice is acyclic: folding can put a
        // constant and an op over that same constant in one class. The smallest tree never cycles.
        var smallest = new TreeExtractor<TensorData>(egraph, CostFunctions.AstSize);
        var writer = new GraphWriter(egraph, lhs, smallest.BestNode);
        var outputs = proposals.SelectMany(p => new[] { writer.Emit(p.Target), writer.Emit(p.Rhs) }).ToArray();
        return new RuleApplication(lhs, writer.Build(outputs));
    }

    /// <summary>Whether the rule rewrites some value of <paramref name="lhs"/> (its type check passed).</summary>
    public static bool Fires(TensorRule rule, Graph lhs) => TryOf(rule, lhs) is not null;

    /// <summary>
    /// <see cref="Of"/>, null also when the left side is not a valid graph; throws
    /// <see cref="InvalidOperationException"/> naming the rule and the left side when the rule throws.
    /// </summary>
    public static RuleApplication? TryOf(TensorRule rule, Graph lhs)
    {
        try
        {
            return Of(rule, lhs);
        }
        catch (Exception e) when (e is IRTypeException or ArgumentException)
        {
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A rule that throws would stop the optimizer: as much a bug as a wrong right side.
            throw new InvalidOperationException($"rule {rule.Name} threw {e.GetType().Name} on this left side:\n{lhs}", e);
        }
    }
}
