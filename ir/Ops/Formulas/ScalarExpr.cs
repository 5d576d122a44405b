using System.Collections.Immutable;

namespace DyCompile.IR;

/// <summary>An expression of the scalar formula language: operands of the op, float attributes of
/// the node, literals and <see cref="ScalarFunction"/> applications. Operators build applications,
/// so a catalog entry reads as arithmetic: <c>x / (1f + Exp(-x))</c>.</summary>
public abstract record ScalarExpr
{
    public static ScalarExpr operator +(ScalarExpr a, ScalarExpr b) => new ScalarApply(ScalarFunction.Add, [a, b]);
    public static ScalarExpr operator -(ScalarExpr a, ScalarExpr b) => new ScalarApply(ScalarFunction.Subtract, [a, b]);
    public static ScalarExpr operator *(ScalarExpr a, ScalarExpr b) => new ScalarApply(ScalarFunction.Multiply, [a, b]);
    public static ScalarExpr operator /(ScalarExpr a, ScalarExpr b) => new ScalarApply(ScalarFunction.Divide, [a, b]);
    public static ScalarExpr operator -(ScalarExpr a) => new ScalarApply(ScalarFunction.Negate, [a]);
    public static implicit operator ScalarExpr(float value) => new ScalarLiteral(value);
}

/// <summary>Operand <see cref="Index"/> of the op (its element at the current position).</summary>
public sealed record ScalarOperand(int Index) : ScalarExpr;

/// <summary>The float attribute <see cref="Name"/> of the node (clamp's bounds, a slope).</summary>
public sealed record ScalarAttribute(string Name) : ScalarExpr;

public sealed record ScalarLiteral(float Value) : ScalarExpr;

public sealed record ScalarApply : ScalarExpr
{
    public ScalarApply(ScalarFunction function, ImmutableArray<ScalarExpr> arguments)
    {
        if (arguments.Length != function.Arity())
            throw new ArgumentException($"{function} takes {function.Arity()} argument(s), got {arguments.Length}", nameof(arguments));
        Function = function;
        Arguments = arguments;
    }

    public ScalarFunction Function { get; }

    public ImmutableArray<ScalarExpr> Arguments { get; }

    public bool Equals(ScalarApply? other) =>
        other is not null && Function == other.Function && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => Arguments.Aggregate(Function.GetHashCode(), HashCode.Combine);
}
