using System.Collections.Immutable;
using DyCompile.IR;

namespace DyCompile.Passes.Rules;

/// <summary>
/// What the tensor analysis knows about one e-class: its type (every node of a class has the
/// same type — rules may not change it), the attributes of an attribute leaf, the constant value
/// when folding found one, whether the value depends only on weights and constants (so it can be
/// computed once, ahead of time), and bounds on its non-NaN elements.
/// </summary>
public sealed record TensorData
{
    /// <summary>The value's type; null for attribute leaves and multi-result tuples.</summary>
    public IRType? Type { get; init; }

    /// <summary>The result types of a multi-result op (split, topk); empty otherwise.</summary>
    public ImmutableArray<IRType> TupleTypes { get; init; } = [];

    /// <summary>The attributes, for an attribute leaf.</summary>
    public Attrs? Attrs { get; init; }

    /// <summary>The value, when it is known at compile time.</summary>
    public ConstValue? Constant { get; init; }

    /// <summary>Depends only on weights and constants: computable once, before any call.</summary>
    public bool WeightOnly { get; init; }

    /// <summary>A lower bound on every non-NaN element.</summary>
    public double Lo { get; init; } = double.NegativeInfinity;

    /// <summary>An upper bound on every non-NaN element.</summary>
    public double Hi { get; init; } = double.PositiveInfinity;

    public TensorType? Tensor => Type as TensorType;

    /// <summary>Every non-NaN element is ≥ 0 (−0 included).</summary>
    public bool NonNegative => Lo >= 0;

    public bool Equals(TensorData? other) =>
        other is not null && Equals(Type, other.Type) && TupleTypes.SequenceEqual(other.TupleTypes)
        && Equals(Attrs, other.Attrs) && Equals(Constant, other.Constant) && WeightOnly == other.WeightOnly
        && Lo.Equals(other.Lo) && Hi.Equals(other.Hi);

    public override int GetHashCode() => HashCode.Combine(Type, Attrs, Constant, WeightOnly, Lo, Hi);
}
