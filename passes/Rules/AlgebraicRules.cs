using static DyCompile.Passes.Rules.RuleSupport;

namespace DyCompile.Passes.Rules;

/// <summary>Commutativity, identities and (fast-math) annihilation and reassociation of + − × ÷.</summary>
internal static class AlgebraicRules
{
    public static IEnumerable<TensorRule> All()
    {
        yield return TensorRule.Parse("add-comm", RuleKind.Exact, "(add ?a ?b)", m => Rhs.Call("add", m["?b"], m["?a"]))
            .KeepsNonFinite().Describe("IEEE addition is commutative.");
        yield return TensorRule.Parse("mul-comm", RuleKind.Exact, "(mul ?a ?b)", m => Rhs.Call("mul", m["?b"], m["?a"]))
            .KeepsNonFinite().Describe("IEEE multiplication is commutative.");
        yield return TensorRule.Parse("add-zero", RuleKind.Exact, "(add ?x ?z)", m => m.AllElements("?z", v => v == 0) ? m["?x"] : null)
            .KeepsNonFinite().Describe("x + 0 = x (for x = −0 the result is +0, equal as a number); broadcasting is kept by the type check.");
        yield return TensorRule.Parse("sub-zero", RuleKind.Exact, "(sub ?x ?z)", m => m.AllElements("?z", v => v == 0) ? m["?x"] : null)
            .KeepsNonFinite().Describe("x − 0 = x.");
        yield return TensorRule.Parse("mul-one", RuleKind.Exact, "(mul ?x ?o)", m => m.AllElements("?o", v => v == 1) ? m["?x"] : null)
            .KeepsNonFinite().Describe("x · 1 = x, NaN and Inf included.");
        yield return TensorRule.Parse("div-one", RuleKind.Exact, "(div ?x ?o)", m => m.AllElements("?o", v => v == 1) ? m["?x"] : null)
            .KeepsNonFinite().Describe("x / 1 = x.");
        yield return TensorRule.Parse("neg-neg", RuleKind.Exact, "(neg (neg ?x))", m => m["?x"])
            .KeepsNonFinite().Describe("−(−x) = x, also for wrapping integers.");
        yield return TensorRule.Parse("neg-sub", RuleKind.Exact, "(neg (sub ?a ?b))", "(sub ?b ?a)")
            .KeepsNonFinite().Describe("−(a − b) = b − a: round-to-nearest is symmetric, so both round the same real number.");
        yield return TensorRule.Parse("add-neg", RuleKind.Exact, "(add ?a (neg ?b))", "(sub ?a ?b)")
            .KeepsNonFinite().Describe("a + (−b) = a − b (IEEE subtraction is addition of the negation).");
        yield return TensorRule.Parse("sub-neg", RuleKind.Exact, "(sub ?a (neg ?b))", "(add ?a ?b)")
            .KeepsNonFinite().Describe("a − (−b) = a + b.");
        yield return TensorRule.Parse("mul-neg-neg", RuleKind.Exact, "(mul (neg ?a) (neg ?b))", "(mul ?a ?b)")
            .KeepsNonFinite().Describe("(−a)·(−b) = a·b: the sign is exact, the magnitude rounds the same.");
        yield return TensorRule.Parse("maximum-self", RuleKind.Exact, "(maximum ?x ?x)", "?x")
            .KeepsNonFinite().Describe("max(x, x) = x.");
        yield return TensorRule.Parse("minimum-self", RuleKind.Exact, "(minimum ?x ?x)", "?x")
            .KeepsNonFinite().Describe("min(x, x) = x.");
        yield return TensorRule.Parse("sub-self", RuleKind.FastMath, "(sub ?x ?x)", m => Filled(m.RootData.Tensor, 0))
            .Describe("x − x = 0; wrong for NaN and Inf (they give NaN), hence fast-math.");
        yield return TensorRule.Parse("mul-zero", RuleKind.FastMath, "(mul ?x ?z)", m => m.AllElements("?z", v => v == 0) ? Filled(m.RootData.Tensor, 0) : null)
            .Describe("x · 0 = 0; wrong for NaN and Inf and loses the sign of zero, hence fast-math.");
        yield return TensorRule.Parse("add-assoc", RuleKind.FastMath, "(add (add ?a ?b) ?c)", m => Rhs.Call("add", m["?a"], Rhs.Call("add", m["?b"], m["?c"])))
            .Describe("Reassociates a sum; cancellation can differ beyond rounding, hence fast-math.");
        yield return TensorRule.Parse("mul-assoc", RuleKind.FastMath, "(mul (mul ?a ?b) ?c)", m => Rhs.Call("mul", m["?a"], Rhs.Call("mul", m["?b"], m["?c"])))
            .Describe("Reassociates a product; overflow and underflow can differ, hence fast-math.");
    }
}
