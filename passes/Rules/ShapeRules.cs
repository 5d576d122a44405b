using DyCompile.IR;
using static DyCompile.Passes.Rules.RuleSupport;

namespace DyCompile.Passes.Rules;

/// <summary>Transposes, permutations, reshapes and squeezes that cancel or compose. All exact: they only move data.</summary>
internal static class ShapeRules
{
    public static IEnumerable<TensorRule> All()
    {
        yield return TensorRule.Parse("transpose-transpose", RuleKind.Exact, "(transpose (transpose ?x ?p) ?q)", m =>
        {
            var rank = m.T("?x").Rank;
            return TransposePair(m.Attrs("?p"), rank) == TransposePair(m.Attrs("?q"), rank) ? m["?x"] : null;
        }).KeepsNonFinite().Describe("Swapping the same two dims twice is the identity.");

        yield return TensorRule.Parse("transpose-to-permute", RuleKind.Exact, "(transpose ?x ?p)", m =>
        {
            var rank = m.T("?x").Rank;
            if (rank == 0) return null; // a 0-d transpose has no dims to swap: there is no permutation to write
            var (a, b) = TransposePair(m.Attrs("?p"), rank);
            var perm = Enumerable.Range(0, rank).ToArray();
            (perm[a], perm[b]) = (perm[b], perm[a]);
            return Rhs.Call("permute", Permute(perm), m["?x"]);
        }).KeepsNonFinite().Describe("A transpose is the permutation swapping its two dims.");

        yield return TensorRule.Parse("permute-to-transpose", RuleKind.Exact, "(permute ?x ?p)", m =>
        {
            var perm = PermuteDims(m.Attrs("?p"), m.T("?x").Rank);
            var moved = perm.Select((d, i) => (d, i)).Where(p => p.d != p.i).Select(p => p.i).ToArray();
            return moved.Length == 2 ? Rhs.Call("transpose", Transpose(moved[0], moved[1]), m["?x"]) : null;
        }).KeepsNonFinite().Describe("A permutation that swaps two dims is a transpose.");

        yield return TensorRule.Parse("permute-compose", RuleKind.Exact, "(permute (permute ?x ?p) ?q)", m =>
        {
            var rank = m.T("?x").Rank;
            int[] p = PermuteDims(m.Attrs("?p"), rank), q = PermuteDims(m.Attrs("?q"), rank);
            // Result dim i is dim q[i] of the inner result, which is dim p[q[i]] of x.
            return Rhs.Call("permute", Permute(q.Select(d => p[d]).ToArray()), m["?x"]);
        }).KeepsNonFinite().Describe("permute(permute(x, p), q) = permute(x, p∘q).");

        yield return TensorRule.Parse("permute-identity", RuleKind.Exact, "(permute ?x ?p)",
                m => IsIdentity(PermuteDims(m.Attrs("?p"), m.T("?x").Rank)) ? m["?x"] : null)
            .KeepsNonFinite().Describe("The identity permutation does nothing.");

        yield return TensorRule.Parse("reshape-compose", RuleKind.Exact, "(reshape (reshape ?x ?s) ?t)", m => Rhs.Call("reshape", m.Attrs("?t"), m["?x"]))
            .KeepsNonFinite().Describe("Row-major reshapes compose: only the last one matters.");

        yield return TensorRule.Parse("reshape-identity", RuleKind.Exact, "(reshape ?x ?s)",
                m => m.Tensor("?x") is { IsStatic: true } t && t == m.RootData.Type ? m["?x"] : null)
            .KeepsNonFinite().Describe("A reshape to the shape the value already has does nothing.");

        yield return TensorRule.Parse("squeeze-unsqueeze", RuleKind.Exact, "(squeeze (unsqueeze ?x ?a) ?b)", m =>
        {
            var rank = m.T("?x").Rank + 1;
            var dims = m.Attrs("?b").GetInts("dims");
            return dims.Length == 1 && Axis(dims[0], rank) == Axis(m.Attrs("?a").GetInt("dim"), rank) ? m["?x"] : null;
        }).KeepsNonFinite().Describe("Removing the dim just inserted gives the value back.");
    }
}
