namespace DyCompile.Passes.Rules;

/// <summary>
/// The registry of tensor rules — the one place they live. Every rule here has a soundness
/// property in the test suite, and a test fails when one is missing.
/// </summary>
public static class TensorRules
{
    private static readonly Lazy<IReadOnlyList<TensorRule>> _all = new(() =>
    [
        .. AlgebraicRules.All(),
        .. ActivationRules.All(),
        .. ShapeRules.All(),
        .. MatMulRules.All(),
        .. FoldingRules.All(),
        .. ReductionRules.All(),
        .. MovementRules.All(),
        .. SelectRules.All(),
    ]);

    /// <summary>Every registered rule, fast-math ones included.</summary>
    public static IReadOnlyList<TensorRule> All => _all.Value;

    /// <summary>The rules used by default: all but fast-math (DESIGN decision 9).</summary>
    public static IReadOnlyList<TensorRule> Default => [.. All.Where(r => !r.IsFastMath)];

    public static TensorRule Get(string name) =>
        All.FirstOrDefault(r => r.Name == name) ?? throw new KeyNotFoundException($"no tensor rule named '{name}'");
}
