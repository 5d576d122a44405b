using DyCompile.IR;

namespace DyCompile.Passes.Rules;

/// <summary>
/// Transposes and slices moved through elementwise ops, toward the values they read: a slice
/// taken before an activation computes the activation on fewer elements, and a transpose moved
/// inward can meet another transpose and cancel (<c>transpose-transpose</c>). An elementwise op
/// computes each element from the same elements wherever they sit, so these are exact up to how
/// a kernel rounds at different positions.
/// </summary>
internal static class MovementRules
{
    /// <summary>
    /// Ops whose kernel gives each element the same bits wherever it sits. The transcendental
    /// kernels do not (a vectorized body and a scalar tail differ in the last bit), so moving a
    /// slice or transpose through them is a rounding rule.
    /// </summary>
    private static readonly string[] ExactUnary = ["relu", "neg", "abs"];

    private static readonly string[] RoundingUnary = ["exp", "tanh", "sigmoid", "gelu", "silu"];

    public static IEnumerable<TensorRule> All()
    {
        foreach (var (op, kind) in ExactUnary.Select(o => (o, RuleKind.Exact)).Concat(RoundingUnary.Select(o => (o, RuleKind.Rounding))))
        {
            yield return TensorRule.Parse($"transpose-into-{op}", kind, $"(transpose ({op} ?x) ?p)", $"({op} (transpose ?x ?p))")
                .KeepsNonFinite().Describe($"transpose({op} x) = {op}(transpose x).");
            yield return TensorRule.Parse($"slice-into-{op}", kind, $"(slice ({op} ?x) ?s)",
                    m => NonEmpty(m) ? Rhs.Call(op, Rhs.Call("slice", m.Attrs("?s"), m["?x"])) : null)
                .KeepsNonFinite().Describe($"slice({op} x) = {op}(slice x): the op runs on the kept elements only.");
        }
        foreach (var op in new[] { "add", "mul" })
        {
            yield return TensorRule.Parse($"transpose-into-{op}", RuleKind.Exact, $"(transpose ({op} ?a ?b) ?p)",
                    m => SameRank(m) ? Rhs.Call(op, Rhs.Call("transpose", m.Attrs("?p"), m["?a"]), Rhs.Call("transpose", m.Attrs("?p"), m["?b"])) : null)
                .KeepsNonFinite().Describe($"transpose({op}(a, b)) = {op}(transpose a, transpose b) when a and b have the result's rank (broadcasting then commutes with the transpose).");
            yield return TensorRule.Parse($"slice-into-{op}", RuleKind.Exact, $"(slice ({op} ?a ?b) ?s)",
                    m => Unbroadcast(m) && NonEmpty(m) ? Rhs.Call(op, Rhs.Call("slice", m.Attrs("?s"), m["?a"]), Rhs.Call("slice", m.Attrs("?s"), m["?b"])) : null)
                .KeepsNonFinite().Describe($"slice({op}(a, b)) = {op}(slice a, slice b) when a and b have the shape of their sum (no broadcasting).");
        }
    }

    /// <summary>
    /// The slice keeps some element: an empty slice gains nothing, and moving it inward would run
    /// the op on an empty tensor, which some runtime kernels refuse.
    /// </summary>
    private static bool NonEmpty(RuleMatch m) => m.RootData.Tensor is { IsStatic: true, ElementCount: > 0 };

    /// <summary>Both operands have the rank of the result: a transpose then swaps the same dims of each.</summary>
    private static bool SameRank(RuleMatch m) => m.T("?a").Rank == m.T("?b").Rank;

    /// <summary>Both operands have one static shape, so slicing each slices the same elements.</summary>
    private static bool Unbroadcast(RuleMatch m) => m.T("?a") is { IsStatic: true } a && a == m.T("?b");
}
