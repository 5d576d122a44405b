using DyCompile.IR;
using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Rules;

/// <summary>One match of a tensor rule's left side, as its right-side builder reads it.</summary>
public sealed class RuleMatch(EGraph<TensorData> egraph, EClassId root, Subst subst)
{
    public EGraph<TensorData> EGraph { get; } = egraph;

    /// <summary>The class the (first) pattern matched.</summary>
    public EClassId Root { get; } = root;

    public Subst Subst { get; } = subst;

    public EClassId this[string variable] => Subst[variable];

    public TensorData Data(string variable) => EGraph[Subst[variable]].Data;

    public TensorData RootData => EGraph[Root].Data;

    /// <summary>The tensor type bound to a variable, or null when it is not a tensor.</summary>
    public TensorType? Tensor(string variable) => Data(variable).Tensor;

    /// <summary>The tensor type bound to a variable; a non-tensor fails the match (the rule's builder is abandoned).</summary>
    public TensorType T(string variable) => Data(variable).Tensor ?? throw new InvalidCastException($"{variable} is not a tensor");

    /// <summary>The attributes bound to a variable (an attribute leaf).</summary>
    public Attrs Attrs(string variable) => Data(variable).Attrs ?? IR.Attrs.Empty;

    /// <summary>Whether two variables are bound to one class.</summary>
    public bool Same(string a, string b) => EGraph.Find(Subst[a]) == EGraph.Find(Subst[b]);

    /// <summary>The variable's value is known and every element satisfies <paramref name="test"/>.</summary>
    public bool AllElements(string variable, Func<double, bool> test) =>
        Data(variable).Constant is { } c && c.Payload.Values.Length > 0 && c.Payload.Values.All(test);
}

/// <summary>What one application of a tensor rule proposes: classes to equate with new expressions.</summary>
public sealed record RuleResult(IReadOnlyList<(EClassId Target, Rhs Rhs)> Rewrites);
