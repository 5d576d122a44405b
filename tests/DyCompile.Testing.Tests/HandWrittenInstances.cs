using DyCompile.IR;

namespace DyCompile.Testing.Tests;

/// <summary>
/// Left sides written by hand, for the rules whose instances generation cannot derive. The
/// generator draws f32 leaves only, and <c>where</c> takes a bool condition: the where rules need
/// a bool constant (all true, all false, or mixed for <c>where-same</c>) as the predicate.
/// </summary>
internal static class HandWrittenInstances
{
    public static readonly IReadOnlyDictionary<string, Func<Random, int, Graph?>> ByRule = new Dictionary<string, Func<Random, int, Graph?>>
    {
        ["where-true"] = (r, size) => Where(r, size, _ => true, sameBranches: false),
        ["where-false"] = (r, size) => Where(r, size, _ => false, sameBranches: false),
        ["where-same"] = (r, size) => Where(r, size, _ => r.Next(2) == 0, sameBranches: true),
    };

    public static SoundnessOptions For(string rule, SoundnessOptions options) =>
        ByRule.TryGetValue(rule, out var instances) ? options with { Instances = instances } : options;

    /// <summary>where(c, a, b) with a constant bool c that broadcasts to a's shape, and b of a's shape or broadcast to it.</summary>
    private static Graph Where(Random r, int size, Func<int, bool> element, bool sameBranches)
    {
        var g = new GraphBuilder("lhs");
        var shape = Enumerable.Range(0, r.Next(0, Math.Min(4, 1 + size / 2) + 1)).Select(_ => r.Next(1, 2 + size / 2)).ToArray();
        var conditionShape = shape.Skip(r.Next(0, shape.Length + 1)).Select(d => r.Next(3) == 0 ? 1 : d).ToArray();
        var count = conditionShape.Aggregate(1, (n, d) => n * d);
        var condition = g.Const(new TensorType(Runtime.DType.Bool, conditionShape), Enumerable.Range(0, count).Select(i => element(i) ? 1.0 : 0.0).ToArray());
        var a = g.Input("a", IRType.F32(shape));
        var b = sameBranches ? a : g.Input("b", IRType.F32(shape.Skip(r.Next(0, shape.Length + 1)).ToArray()));
        return g.Build(g.Op("where", condition, a, b));
    }
}
