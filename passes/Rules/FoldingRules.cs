using DyCompile.IR;
using static DyCompile.Passes.Rules.RuleSupport;

namespace DyCompile.Passes.Rules;

/// <summary>
/// Folds work into a preceding conv2d or linear: batch-norm (inference) into its weights and bias,
/// a scalar factor into the weights, a per-channel bias add into the bias. The new weights are
/// written as IR ops on the old ones — weight-only, so computed once, and constant-folded when
/// the weight values are known.
/// </summary>
internal static class FoldingRules
{
    public static IEnumerable<TensorRule> All()
    {
        yield return TensorRule.Parse("batchnorm-into-conv", RuleKind.Rounding, "(batch_norm (conv2d ?x ?w ?b ?p) ?mean ?var ?gamma ?beta ?e)", m =>
        {
            if (DividesByZero(m)) return null;
            var (scale, bias) = Folded(m);
            return Rhs.Call("conv2d", m.Attrs("?p"), m["?x"], Rhs.Call("mul", m["?w"], Rhs.Call("reshape", Reshape([-1, 1, 1, 1]), scale)), bias);
        }).Describe("BN(conv(x, W, b)) = conv(x, W·s, (b − μ)·s + β) with s = γ / √(σ² + ε) per output channel.");

        yield return TensorRule.Parse("batchnorm-into-linear", RuleKind.Rounding, "(batch_norm (linear ?x ?w ?b) ?mean ?var ?gamma ?beta ?e)", m =>
        {
            if (m.T("?x").Rank != 2 || DividesByZero(m)) return null; // batch_norm normalizes dim 1, the features, only for [N, features]
            var (scale, bias) = Folded(m);
            return Rhs.Call("linear", m["?x"], Rhs.Call("mul", m["?w"], Rhs.Call("reshape", Reshape([-1, 1]), scale)), bias);
        }).Describe("BN(linear(x, W, b)) = linear(x, W·s, (b − μ)·s + β) with s = γ / √(σ² + ε).");

        yield return TensorRule.Parse("scalar-into-conv", RuleKind.Rounding, "(conv2d (mul ?x ?s) ?w ?b ?p)",
                m => IsScalar(m.Tensor("?s")) ? Rhs.Call("conv2d", m.Attrs("?p"), m["?x"], Rhs.Call("mul", m["?w"], m["?s"]), m["?b"]) : null)
            .Describe("conv(s·x, W, b) = conv(x, s·W, b): convolution is linear in its input (zero padding stays zero).");
        yield return TensorRule.Parse("scalar-after-conv", RuleKind.Rounding, "(mul (conv2d ?x ?w ?b ?p) ?s)",
                m => IsScalar(m.Tensor("?s")) ? Rhs.Call("conv2d", m.Attrs("?p"), m["?x"], Rhs.Call("mul", m["?w"], m["?s"]), Rhs.Call("mul", m["?b"], m["?s"])) : null)
            .Describe("s·conv(x, W, b) = conv(x, s·W, s·b).");
        yield return TensorRule.Parse("scalar-into-linear", RuleKind.Rounding, "(linear (mul ?x ?s) ?w ?b)",
                m => IsScalar(m.Tensor("?s")) ? Rhs.Call("linear", m["?x"], Rhs.Call("mul", m["?w"], m["?s"]), m["?b"]) : null)
            .Describe("linear(s·x, W, b) = linear(x, s·W, b) for a scalar s: the scale joins the weight, computed once.");
        yield return TensorRule.Parse("conv-add-bias", RuleKind.Rounding, "(add (conv2d ?x ?w ?b ?p) ?c)", m =>
        {
            var c = m.T("?c");
            var channels = m.T("?b").Shape[0];
            var perChannel = c.Rank is 3 or 4 && c.Shape[^3] == channels && c.Shape[^2] == 1 && c.Shape[^1] == 1 && (c.Rank == 3 || c.Shape[0] == 1);
            return perChannel ? Rhs.Call("conv2d", m.Attrs("?p"), m["?x"], m["?w"], Rhs.Call("add", m["?b"], Rhs.Call("reshape", Reshape([channels]), m["?c"]))) : null;
        }).Describe("A per-channel add after conv2d joins its bias.");
    }

    /// <summary>Whether the variance is a known constant with σ² + ε = 0 in some channel (f32, as the
    /// kernel adds them): the batch norm then divides by zero, giving ±∞ where x ≠ μ, while the folded
    /// weights W·∞ give NaN wherever a weight is 0. Such a batch norm is left as it is.</summary>
    private static bool DividesByZero(RuleMatch m)
    {
        var eps = m.Attrs("?e").GetFloat("eps");
        return m.Data("?var").Constant is { } variance && variance.Payload.Values.Any(v => (float)v + eps == 0f);
    }

    /// <summary>The per-channel scale γ/√(σ²+ε) and the folded bias (b − μ)·scale + β, as IR ops.</summary>
    private static (Rhs Scale, Rhs Bias) Folded(RuleMatch m)
    {
        var eps = m.Attrs("?e").GetFloat("eps");
        var scale = Rhs.Call("div", m["?gamma"], Rhs.Call("sqrt", Rhs.Call("add", m["?var"], Rhs.Scalar(eps))));
        var bias = Rhs.Call("add", Rhs.Call("mul", Rhs.Call("sub", m["?b"], m["?mean"]), scale), m["?beta"]);
        return (scale, bias);
    }
}
