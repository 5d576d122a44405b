using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Rules;

/// <summary>
/// A tensor rewrite rule: a left side (a pattern or multi-pattern over the tensor language), a
/// builder that reads one match and proposes right sides (or null when its condition fails),
/// its kind and tolerance, and whether it claims to keep NaN and Inf results. The applier
/// type-checks every proposal first: one whose type differs from the class it would join is
/// rejected and counted in <see cref="Rejected"/>.
/// </summary>
public sealed class TensorRule
{
    private int _rejected;

    public TensorRule(string name, RuleKind kind, ISearcher searcher, Func<RuleMatch, RuleResult?> build)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Kind = kind;
        Searcher = searcher;
        Build = build;
        Tolerance = kind == RuleKind.Exact ? Tolerance.Exact : Tolerance.Rounding;
    }

    public string Name { get; }

    public RuleKind Kind { get; }

    public ISearcher Searcher { get; }

    public Func<RuleMatch, RuleResult?> Build { get; }

    /// <summary>How closely the two sides agree on finite inputs (see the soundness properties).</summary>
    public Tolerance Tolerance { get; private set; }

    /// <summary>Both sides also agree on NaN and ±Inf inputs (NaN where the other is NaN, equal infinities).</summary>
    public bool PreservesNonFinite { get; private set; }

    /// <summary>
    /// Where the left side underflowed (below the log of the smallest normal float: −inf, or
    /// imprecise through a subnormal), the right side may be any value below that bound too — the
    /// right side is the accurate one there (<c>log(softmax x)</c> → <c>log_softmax x</c>).
    /// </summary>
    public bool RefinesUnderflow { get; private set; }

    /// <summary>The right side as written, for a rule made from two patterns; null when C# builds it.</summary>
    public RhsPattern? RightPattern { get; private init; }

    /// <summary>One sentence: what the rule does and why it is sound.</summary>
    public string Description { get; private set; } = "";

    /// <summary>Sets <see cref="Description"/>; returns this rule.</summary>
    public TensorRule Describe(string description)
    {
        Description = description;
        return this;
    }

    /// <summary>Marks the rule as agreeing on NaN and ±Inf inputs too; returns this rule.</summary>
    public TensorRule KeepsNonFinite()
    {
        PreservesNonFinite = true;
        return this;
    }

    /// <summary>Marks the rule as <see cref="RefinesUnderflow"/>; returns this rule.</summary>
    public TensorRule RefinesUnderflowOfLeftSide()
    {
        RefinesUnderflow = true;
        return this;
    }

    /// <summary>Sets <see cref="Tolerance"/>; returns this rule.</summary>
    public TensorRule Within(Tolerance tolerance)
    {
        Tolerance = tolerance;
        return this;
    }

    public bool IsFastMath => Kind == RuleKind.FastMath;

    /// <summary>Proposals rejected because they would have changed a value's type.</summary>
    public int Rejected => _rejected;

    /// <summary>A rule whose left side is one pattern written in <see cref="TensorLanguage"/>; the right side replaces the matched class.</summary>
    public static TensorRule Parse(string name, RuleKind kind, string left, Func<RuleMatch, Rhs?> build) =>
        new(name, kind, Pattern.Parse(TensorLanguage.Language, left), m => build(m) is { } rhs ? new RuleResult([(m.Root, rhs)]) : null);

    /// <summary>
    /// A rule written as text: a left pattern and a right pattern over the left side's variables.
    /// </summary>
    /// <example><code>
    /// var rule = TensorRule.Parse("relu-relu", RuleKind.Exact, "(relu (relu ?x))", "(relu ?x)").KeepsNonFinite();
    /// </code></example>
    public static TensorRule Parse(string name, RuleKind kind, string left, string right)
    {
        var pattern = Pattern.Parse(TensorLanguage.Language, left);
        var rhs = RhsPattern.Parse(right, pattern.Vars);
        return new(name, kind, pattern, m => new RuleResult([(m.Root, rhs.Build(m))])) { RightPattern = rhs };
    }

    /// <summary>A rule whose left side is a multi-pattern (<c>?r1 = ..., ?r2 = ...</c>).</summary>
    public static TensorRule ParseMulti(string name, RuleKind kind, string left, Func<RuleMatch, RuleResult?> build) =>
        new(name, kind, MultiPattern.Parse(TensorLanguage.Language, left), build);

    /// <summary>
    /// The type-checked proposals of one match; null when the condition fails or a proposal
    /// would change a type. Reads the e-graph only.
    /// </summary>
    public RuleResult? Propose(EGraph<TensorData> egraph, EClassId eclass, Subst subst)
    {
        RuleResult? result;
        try
        {
            result = Build(new RuleMatch(egraph, eclass, subst));
        }
        catch (Exception e) when (e is InvalidCastException or KeyNotFoundException or IR.IRTypeException)
        {
            return null;
        }
        if (result is null) return null;
        foreach (var (target, rhs) in result.Rewrites)
        {
            var expected = egraph[target].Data.Type;
            if (expected is null || !Equals(rhs.InferType(egraph), expected))
            {
                Interlocked.Increment(ref _rejected);
                return null;
            }
        }
        return result;
    }

    public Rewrite<TensorData> ToRewrite() => new(Name, Searcher, new Applier(this));

    public override string ToString() => RightPattern is null ? $"{Name} ({Kind}): {Searcher}" : $"{Name} ({Kind}): {Searcher} => {RightPattern}";

    private sealed class Applier(TensorRule rule) : IApplier
    {
        public IReadOnlyCollection<Var> Vars => [];

        public bool Apply<TData>(EGraph<TData> egraph, EClassId eclass, Subst subst)
        {
            var g = egraph as EGraph<TensorData> ?? throw new InvalidOperationException("tensor rules run on a tensor e-graph");
            if (rule.Propose(g, eclass, subst) is not { } result) return false;
            var changed = false;
            foreach (var (target, rhs) in result.Rewrites)
                changed |= g.Union(target, rhs.AddTo(g));
            return changed;
        }
    }
}
