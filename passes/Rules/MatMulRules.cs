using DyCompile.IR;
using static DyCompile.Passes.Rules.RuleSupport;

namespace DyCompile.Passes.Rules;

/// <summary>
/// Matrix-product algebra: associativity (so extraction picks the cheapest chain order),
/// distribution over add both ways, transpose of a product, scalars moved through products,
/// bias adds folded into <c>linear</c>, and products sharing an operand merged through concat.
/// All change results by rounding only: the same real-number products are summed in another order.
/// </summary>
internal static class MatMulRules
{
    public static IEnumerable<TensorRule> All()
    {
        yield return TensorRule.Parse("matmul-assoc-right", RuleKind.Rounding, "(matmul (matmul ?a ?b) ?c)",
                m => Matrices(m, "?a", "?b", "?c") ? Rhs.Call("matmul", m["?a"], Rhs.Call("matmul", m["?b"], m["?c"])) : null)
            .Describe("(A·B)·C = A·(B·C).");
        yield return TensorRule.Parse("matmul-assoc-left", RuleKind.Rounding, "(matmul ?a (matmul ?b ?c))",
                m => Matrices(m, "?a", "?b", "?c") ? Rhs.Call("matmul", Rhs.Call("matmul", m["?a"], m["?b"]), m["?c"]) : null)
            .Describe("A·(B·C) = (A·B)·C.");

        yield return TensorRule.Parse("matmul-distribute-right", RuleKind.Rounding, "(matmul ?a (add ?b ?c))",
                m => Matrices(m, "?a", "?b", "?c") && m.T("?b") == m.T("?c") ? Rhs.Call("add", Rhs.Call("matmul", m["?a"], m["?b"]), Rhs.Call("matmul", m["?a"], m["?c"])) : null)
            .Describe("A·(B+C) = A·B + A·C (B, C of one shape).");
        yield return TensorRule.Parse("matmul-distribute-left", RuleKind.Rounding, "(matmul (add ?a ?b) ?c)",
                m => Matrices(m, "?a", "?b", "?c") && m.T("?a") == m.T("?b") ? Rhs.Call("add", Rhs.Call("matmul", m["?a"], m["?c"]), Rhs.Call("matmul", m["?b"], m["?c"])) : null)
            .Describe("(A+B)·C = A·C + B·C (A, B of one shape).");
        yield return TensorRule.Parse("matmul-factor-right", RuleKind.Rounding, "(add (matmul ?a ?b) (matmul ?a ?c))",
                m => Matrices(m, "?a", "?b", "?c") && m.T("?b") == m.T("?c") ? Rhs.Call("matmul", m["?a"], Rhs.Call("add", m["?b"], m["?c"])) : null)
            .Describe("A·B + A·C = A·(B+C).");
        yield return TensorRule.Parse("matmul-factor-left", RuleKind.Rounding, "(add (matmul ?a ?c) (matmul ?b ?c))",
                m => Matrices(m, "?a", "?b", "?c") && m.T("?a") == m.T("?b") ? Rhs.Call("matmul", Rhs.Call("add", m["?a"], m["?b"]), m["?c"]) : null)
            .Describe("A·C + B·C = (A+B)·C.");

        yield return TensorRule.Parse("transpose-matmul", RuleKind.Rounding, "(transpose (matmul ?a ?b) ?p)", m =>
        {
            if (!Matrices(m, "?a", "?b")) return null;
            var rank = m.RootData.Tensor!.Rank;
            return TransposePair(m.Attrs("?p"), rank) == (rank - 2, rank - 1)
                ? Rhs.Call("matmul", Rhs.Call("transpose", Transpose(-2, -1), m["?b"]), Rhs.Call("transpose", Transpose(-2, -1), m["?a"]))
                : null;
        }).Describe("(A·B)ᵀ = Bᵀ·Aᵀ over the last two dims.");
        yield return TensorRule.Parse("matmul-transposes", RuleKind.Rounding, "(matmul (transpose ?b ?p) (transpose ?a ?q))", m =>
        {
            if (!Matrices(m, "?a", "?b")) return null;
            int rb = m.T("?b").Rank, ra = m.T("?a").Rank;
            return TransposePair(m.Attrs("?p"), rb) == (rb - 2, rb - 1) && TransposePair(m.Attrs("?q"), ra) == (ra - 2, ra - 1)
                ? Rhs.Call("transpose", Transpose(-2, -1), Rhs.Call("matmul", m["?a"], m["?b"]))
                : null;
        }).Describe("Bᵀ·Aᵀ = (A·B)ᵀ.");

        yield return TensorRule.Parse("scalar-out-of-matmul-left", RuleKind.Rounding, "(matmul (mul ?a ?s) ?b)",
                m => IsScalar(m.Tensor("?s")) ? Rhs.Call("mul", Rhs.Call("matmul", m["?a"], m["?b"]), m["?s"]) : null)
            .Describe("(s·A)·B = s·(A·B) for a scalar s.");
        yield return TensorRule.Parse("scalar-out-of-matmul-right", RuleKind.Rounding, "(matmul ?a (mul ?b ?s))",
                m => IsScalar(m.Tensor("?s")) ? Rhs.Call("mul", Rhs.Call("matmul", m["?a"], m["?b"]), m["?s"]) : null)
            .Describe("A·(s·B) = s·(A·B) for a scalar s.");
        yield return TensorRule.Parse("scalar-into-matmul-left", RuleKind.Rounding, "(mul (matmul ?a ?b) ?s)",
                m => IsScalar(m.Tensor("?s")) ? Rhs.Call("matmul", Rhs.Call("mul", m["?a"], m["?s"]), m["?b"]) : null)
            .Describe("s·(A·B) = (s·A)·B: cheaper when A is a weight (then s·A is computed once).");
        yield return TensorRule.Parse("scalar-into-matmul-right", RuleKind.Rounding, "(mul (matmul ?a ?b) ?s)",
                m => IsScalar(m.Tensor("?s")) ? Rhs.Call("matmul", m["?a"], Rhs.Call("mul", m["?b"], m["?s"])) : null)
            .Describe("s·(A·B) = A·(s·B).");

        yield return TensorRule.Parse("matmul-add-to-linear", RuleKind.Rounding, "(add (matmul ?x ?w) ?b)",
                m => m.T("?w").Rank == 2 && m.T("?b").Rank == 1 && m.T("?x").Rank >= 1
                    ? Rhs.Call("linear", m["?x"], Rhs.Call("transpose", Transpose(0, 1), m["?w"]), m["?b"]) : null)
            .Describe("x·W + b with a bias vector is one linear (bias fused into the product's epilogue).");
        yield return TensorRule.Parse("linear-add-bias", RuleKind.Rounding, "(add (linear ?x ?w ?b) ?c)",
                m => m.T("?c") == m.T("?b") ? Rhs.Call("linear", m["?x"], m["?w"], Rhs.Call("add", m["?b"], m["?c"])) : null)
            .Describe("A bias added after linear joins its bias: (x·Wᵀ + b) + c = x·Wᵀ + (b + c).");

        yield return TensorRule.ParseMulti("matmul-merge", RuleKind.Rounding, "?r1 = (matmul ?a ?b), ?r2 = (matmul ?a ?c)", m =>
        {
            if (m.Same("?b", "?c") || m.Same("?r1", "?r2") || m["?b"].Value > m["?c"].Value) return null;
            // Merging merged operands again would only nest concats: the e-graph would grow without end.
            if (IsConcat(m, "?b") || IsConcat(m, "?c")) return null;
            // Only weights merge: their concat is computed once, a concat of activations would cost a kernel per call.
            if (!m.Data("?b").WeightOnly || !m.Data("?c").WeightOnly) return null;
            TensorType b = m.T("?b"), c = m.T("?c");
            if (b.Rank != 2 || c.Rank != 2 || b.Shape[0] != c.Shape[0] || !b.IsStatic || !c.IsStatic || m.T("?a").Rank < 1) return null;
            int n1 = b.Shape[1], n2 = c.Shape[1];
            var merged = Rhs.Call("matmul", m["?a"], Rhs.Call("concat", Dim(1), m["?b"], m["?c"]));
            return new RuleResult([
                (m["?r1"], Rhs.Call("slice", Slice(-1, 0, n1), merged)),
                (m["?r2"], Rhs.Call("slice", Slice(-1, n1, n1 + n2), merged)),
            ]);
        }).Describe("A·B and A·C (B, C weights) become one product A·[B C] split by slices (TENSAT's merge): one kernel instead of two.");
    }

    private static bool IsConcat(RuleMatch m, string variable) => m.EGraph[m[variable]].Nodes.Any(n => n.Op == "concat");

    /// <summary>Every variable is a tensor of rank ≥ 2, so no 1-D promotion changes the meaning.</summary>
    private static bool Matrices(RuleMatch m, params string[] variables) => variables.All(v => RankAtLeast(m.Tensor(v), 2));
}
