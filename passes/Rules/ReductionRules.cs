using DyCompile.IR;

namespace DyCompile.Passes.Rules;

/// <summary>
/// Reductions over an <c>expand</c>: reducing the copies an expand made is reducing the original
/// (times the copy count for sum). Needs every expanded dim among the reduced ones.
/// </summary>
internal static class ReductionRules
{
    public static IEnumerable<TensorRule> All()
    {
        yield return Over("sum", RuleKind.Rounding, (m, count) => Rhs.Call("mul", Rhs.Call("sum", m.Attrs("?r"), m["?x"]), Rhs.Scalar(count)))
            .Describe("Summing n copies is n times the sum (rounding differs).");
        yield return Over("mean", RuleKind.Rounding, (m, _) => Rhs.Call("mean", m.Attrs("?r"), m["?x"]))
            .Describe("The mean of copies is the mean of the original.");
        yield return Over("max", RuleKind.Exact, (m, _) => Rhs.Call("max", m.Attrs("?r"), m["?x"]))
            .KeepsNonFinite().Describe("The max of copies is the max of the original.");
        yield return Over("min", RuleKind.Exact, (m, _) => Rhs.Call("min", m.Attrs("?r"), m["?x"]))
            .KeepsNonFinite().Describe("The min of copies is the min of the original.");
    }

    private static TensorRule Over(string op, RuleKind kind, Func<RuleMatch, float, Rhs> build) =>
        TensorRule.Parse($"{op}-of-expand", kind, $"({op} (expand ?x ?s) ?r)", m =>
        {
            var x = m.T("?x");
            if (OpCatalog.Infer("expand", [x], m.Attrs("?s")).Types?[0] is not TensorType expanded) return null;
            if (!x.IsStatic || !expanded.IsStatic || x.Rank != expanded.Rank || x.DType != Runtime.DType.Float32) return null;
            var dims = m.Attrs("?r").GetInts("dims").Select(d => RuleSupport.Axis(d, x.Rank)).ToHashSet();
            if (dims.Count == 0) dims.UnionWith(Enumerable.Range(0, x.Rank));
            long count = 1;
            for (var i = 0; i < x.Rank; i++)
            {
                if (x.Shape[i] == expanded.Shape[i]) continue;
                if (!dims.Contains(i)) return null;
                count *= expanded.Shape[i];
            }
            return count == 1 || expanded.ElementCount == 0 ? null : build(m, count);
        });
}
