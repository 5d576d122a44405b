using DyCompile.IR;

namespace DyCompile.Passes.Tests.Rules;

/// <summary>
/// How to build random instances of one rule's left side: a graph whose single output is the
/// left side, with random shapes that satisfy the rule's condition. Values come from the
/// soundness harness. <see cref="UnderflowRefined"/> marks a rule whose right side is finite and
/// accurate where the left side underflowed (to −inf, or imprecisely through a subnormal).
/// </summary>
internal sealed record RuleCase(Func<Random, Graph> Build, bool UnderflowRefined = false);

/// <summary>Random shapes and small graph-building helpers for rule cases.</summary>
internal static class Shapes
{
    public static int[] Dims(Random r, int rank, int lo = 1, int hi = 4) =>
        Enumerable.Range(0, rank).Select(_ => r.Next(lo, hi + 1)).ToArray();

    public static int[] RandomShape(Random r, int minRank = 0, int maxRank = 3) => Dims(r, r.Next(minRank, maxRank + 1));

    /// <summary>A shape that broadcasts against <paramref name="shape"/> to exactly <paramref name="shape"/>.</summary>
    public static int[] Broadcastable(Random r, int[] shape)
    {
        var drop = r.Next(0, shape.Length + 1);
        return shape.Skip(drop).Select(d => r.Next(3) == 0 ? 1 : d).ToArray();
    }

    public static int[] Permutation(Random r, int rank) => Enumerable.Range(0, rank).OrderBy(_ => r.Next()).ToArray();

    /// <summary>An axis in [0, rank), written negative half the time.</summary>
    public static int Axis(Random r, int rank)
    {
        var a = r.Next(rank);
        return r.Next(2) == 0 ? a : a - rank;
    }

    public static Value Constant(GraphBuilder g, int[] shape, double value) =>
        g.Const(IRType.F32(shape), Enumerable.Repeat(value, shape.Aggregate(1, (n, d) => n * d)).ToArray());

    public static Value Op(GraphBuilder g, string op, Attrs attrs, params Value[] operands) => g.Op(op, operands, attrs);
}
