using DyCompile.IR;

namespace DyCompile.Passes.Rules;

/// <summary>
/// A <c>where</c> whose predicate is known: if-conversion of a branch whose condition folds to a
/// constant leaves one. Exact; the type check keeps the chosen side only when it already has the
/// result's shape (no broadcast is lost).
/// </summary>
internal static class SelectRules
{
    public static IEnumerable<TensorRule> All()
    {
        yield return TensorRule.Parse("where-true", RuleKind.Exact, "(where ?c ?a ?b)", m => m.AllElements("?c", v => v != 0) ? m["?a"] : null)
            .KeepsNonFinite().Describe("where(true, a, b) = a.");
        yield return TensorRule.Parse("where-false", RuleKind.Exact, "(where ?c ?a ?b)", m => m.AllElements("?c", v => v == 0) ? m["?b"] : null)
            .KeepsNonFinite().Describe("where(false, a, b) = b.");
        yield return TensorRule.Parse("where-same", RuleKind.Exact, "(where ?c ?a ?a)", m => m["?a"])
            .KeepsNonFinite().Describe("where(c, a, a) = a.");
    }
}
