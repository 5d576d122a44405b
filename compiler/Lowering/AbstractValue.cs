using System.Collections.Immutable;
using DyCompile.IR;

namespace DyCompile.Compiler.Lowering;

/// <summary>What the lowering knows about a C# value: an IR value computed at run time, an
/// object known at compile time (the model, a submodule, a weight tensor, a folded scalar, an
/// int array), or a tuple of either.</summary>
internal abstract record AbstractValue;

/// <summary>A run-time value: a tensor or a host scalar of the IR.</summary>
internal sealed record DynamicValue(Value Value) : AbstractValue;

/// <summary>A compile-time object. Scalars fold; tensors become program weights when used.</summary>
internal sealed record StaticValue(object? Object) : AbstractValue
{
    public static StaticValue Null { get; } = new((object?)null);

    /// <summary>For a null read from a field: the field's name, so a use of it can say which field
    /// is unset. Not part of the value (two nulls are equal).</summary>
    public string? NullField { get; init; }

    public bool Equals(StaticValue? other) => other is not null && Equals(Object, other.Object);

    public override int GetHashCode() => Object?.GetHashCode() ?? 0;
}

/// <summary>A C# tuple (or a <c>Tensor[]</c> of known length) of values.</summary>
internal sealed record TupleValue(ImmutableArray<AbstractValue> Items) : AbstractValue
{
    public bool Equals(TupleValue? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Aggregate(7, (h, v) => HashCode.Combine(h, v));
}

/// <summary>A tensor the forward method creates from constants (<c>Tensor.Zeros(1, 4)</c>): a
/// <c>const</c> of the program, not a weight.</summary>
internal sealed record CompileTimeTensor(DyCompile.Runtime.Tensor Value);

/// <summary>A foreach over a compile-time collection (a module list, an array field): the
/// items and the position; advancing yields a new enumerator, so the loop unrolls.</summary>
internal sealed record StaticEnumerator(IReadOnlyList<object?> Items, int Index)
{
    public object? Current => Index >= 0 && Index < Items.Count ? Items[Index] : null;
}

/// <summary>An element of a module list or module array picked by a run-time int: only a call
/// on it compiles, as a dispatch (a chain of <c>host.eq</c> branches, one arm per element).</summary>
internal sealed record DispatchValue(Value Index, IReadOnlyList<object?> Items, string Collection, bool IsArray) : AbstractValue;
