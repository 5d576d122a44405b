using DyCompile.IR;
using static DyCompile.Passes.Rules.RuleSupport;

namespace DyCompile.Passes.Rules;

/// <summary>Idempotence of relu and abs; softmax / log_softmax identities; exp / log pairs under domain conditions.</summary>
internal static class ActivationRules
{
    /// <summary>|x| ≤ this keeps exp(x) a normal f32 (no overflow, no underflow), so log(exp x) = x up to rounding.</summary>
    public const double ExpSafeBound = 80;

    /// <summary>softmax(x + c) = softmax(x) when c is the same along the softmax dim (a per-row shift).</summary>
    private static TensorRule Shift(string op) =>
        TensorRule.Parse($"{op}-shift", RuleKind.Rounding, $"({op} (add ?x ?c) ?d)", m =>
        {
            TensorType x = m.T("?x"), c = m.T("?c");
            if (c.Rank > x.Rank || x.Rank == 0) return null;
            var axis = Axis(m.Attrs("?d").GetInt("dim"), x.Rank);
            var aligned = axis - (x.Rank - c.Rank); // c's dim under the softmax dim, if it has one
            return aligned < 0 || c.Shape[aligned] == 1 ? Rhs.Call(op, m.Attrs("?d"), m["?x"]) : null;
        }).Describe($"{op}(x + c) = {op}(x) when c does not vary along the {op} dim: a shift of each row cancels in the normalization (the type check keeps x's shape).");

    public static IEnumerable<TensorRule> All()
    {
        yield return TensorRule.Parse("relu-relu", RuleKind.Exact, "(relu (relu ?x))", m => Rhs.Call("relu", m["?x"]))
            .KeepsNonFinite().Describe("relu is idempotent.");
        yield return TensorRule.Parse("abs-abs", RuleKind.Exact, "(abs (abs ?x))", m => Rhs.Call("abs", m["?x"]))
            .KeepsNonFinite().Describe("abs is idempotent.");
        yield return TensorRule.Parse("relu-abs", RuleKind.Exact, "(relu (abs ?x))", m => Rhs.Call("abs", m["?x"]))
            .KeepsNonFinite().Describe("abs is non-negative, where relu is the identity.");
        yield return TensorRule.Parse("abs-relu", RuleKind.Exact, "(abs (relu ?x))", m => Rhs.Call("relu", m["?x"]))
            .KeepsNonFinite().Describe("relu is non-negative, where abs is the identity.");
        yield return TensorRule.Parse("abs-neg", RuleKind.Exact, "(abs (neg ?x))", m => Rhs.Call("abs", m["?x"]))
            .KeepsNonFinite().Describe("|−x| = |x|.");

        yield return TensorRule.Parse("log-softmax", RuleKind.Rounding, "(log (softmax ?x ?d))", m => Rhs.Call("log_softmax", m.Attrs("?d"), m["?x"]))
            .RefinesUnderflowOfLeftSide().Describe("log(softmax x) = log_softmax x; where softmax underflows (to 0 or a subnormal) the left side is −inf or imprecise and the right side the accurate value.");
        yield return TensorRule.Parse("exp-log-softmax", RuleKind.Rounding, "(exp (log_softmax ?x ?d))", m => Rhs.Call("softmax", m.Attrs("?d"), m["?x"]))
            .Describe("exp(log_softmax x) = softmax x.");
        yield return Shift("softmax");
        yield return Shift("log_softmax");
        yield return TensorRule.Parse("exp-log", RuleKind.Rounding, "(exp (log ?x))", m => m.Data("?x").NonNegative ? m["?x"] : null)
            .KeepsNonFinite().Within(new Tolerance(1e-5, 1e-30))
            .Describe("exp(log x) = x when x ≥ 0 is known (log of a negative is NaN); +inf and NaN are kept.");
        yield return TensorRule.Parse("log-exp", RuleKind.Rounding, "(log (exp ?x))",
                m => m.Data("?x") is { Lo: >= -ExpSafeBound, Hi: <= ExpSafeBound } ? m["?x"] : null)
            .Within(new Tolerance(1e-5, 1e-5))
            .Describe("log(exp x) = x when |x| ≤ 80 is known, so exp neither overflows nor underflows.");
    }
}
