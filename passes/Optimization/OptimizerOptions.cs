using DyCompile.Passes.Rules;
using DyCompile.Runtime;

namespace DyCompile.Passes.Optimization;

/// <summary>Settings of <see cref="GraphOptimizer"/>.</summary>
public sealed record OptimizerOptions
{
    /// <summary>
    /// The default of <see cref="SelfCheck"/>: on in debug builds and when the environment variable
    /// <c>DYCOMPILE_OPTIMIZER_SELFCHECK</c> is <c>1</c>; test suites switch it on for themselves.
    /// </summary>
    public static bool SelfCheckByDefault { get; set; } =
#if DEBUG
        true;
#else
        Environment.GetEnvironmentVariable("DYCOMPILE_OPTIMIZER_SELFCHECK") == "1";
#endif

    /// <summary>The rules to run; null means <see cref="TensorRules.All"/> filtered by <see cref="FastMath"/>.</summary>
    public IReadOnlyList<TensorRule>? Rules { get; init; }

    /// <summary>Allow fast-math rules (results may change beyond rounding). Off by default.</summary>
    public bool FastMath { get; init; }

    /// <summary>Known weight values: weights become constants for folding (e.g. batch-norm into conv weights).</summary>
    public IReadOnlyDictionary<string, Tensor>? Weights { get; init; }

    public int IterationLimit { get; init; } = 12;

    public int NodeLimit { get; init; } = 5_000;

    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(2);

    public CostModel CostModel { get; init; } = CostModel.Default;

    /// <summary>Check that the optimized graph computes what the original does (see <see cref="GraphOptimizer"/>).</summary>
    public bool SelfCheck { get; init; } = SelfCheckByDefault;

    /// <summary>
    /// Search states the DAG extractor may spend proving its choice optimal (see docs/egraph.md);
    /// past it the refined greedy choice is used. Bounds the extraction time on large e-graphs.
    /// </summary>
    public int ExtractionBudget { get; init; } = 20_000;

    /// <summary>
    /// Deepest graph (ops on its longest path) the e-graph runs on; a deeper graph is returned as it
    /// is, with <see cref="OptimizationReport.Skipped"/> saying why. Deep graphs run on a thread
    /// whose stack is sized by their depth, so this bounds that stack (1 KB per level).
    /// </summary>
    public int DepthLimit { get; init; } = 100_000;

    /// <summary>Largest constant (elements) folding may create.</summary>
    public long MaxFoldElements { get; init; } = 1 << 20;

    internal IReadOnlyList<TensorRule> EffectiveRules =>
        Rules ?? (FastMath ? TensorRules.All : TensorRules.Default);
}
