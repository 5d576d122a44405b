using System.Collections.Immutable;
using System.Globalization;
using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>The kinds of attribute an op may take; they mirror the kernel parameter types
/// <c>int</c>, <c>float</c>, <c>bool</c>, <c>int[]</c> and <see cref="DType"/>.</summary>
public enum AttrKind
{
    Int,
    Float,
    Bool,
    Ints,
    DType,
}

/// <summary>A compile-time attribute value. Compares by value.</summary>
public abstract record AttrValue
{
    public abstract AttrKind Kind { get; }

    /// <summary>The value as the kernel parameter expects it (int, float, bool, int[] or DType).</summary>
    public abstract object ToClr();

    public static implicit operator AttrValue(int value) => new IntAttr(value);
    public static implicit operator AttrValue(float value) => new FloatAttr(value);
    public static implicit operator AttrValue(bool value) => new BoolAttr(value);
    public static implicit operator AttrValue(int[] value) => new IntsAttr([.. value]);
    public static implicit operator AttrValue(DType value) => new DTypeAttr(value);

    public static string KindName(AttrKind kind) => kind switch
    {
        AttrKind.Int => "int",
        AttrKind.Float => "float",
        AttrKind.Bool => "bool",
        AttrKind.Ints => "int[]",
        _ => "dtype",
    };
}

public sealed record IntAttr(int Value) : AttrValue
{
    public override AttrKind Kind => AttrKind.Int;
    public override object ToClr() => Value;
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

public sealed record FloatAttr(float Value) : AttrValue
{
    public override AttrKind Kind => AttrKind.Float;
    public override object ToClr() => Value;
    public override string ToString() => Literals.FormatFloat(Value);

    // Bitwise equality, so NaN attributes round-trip and compare equal to themselves.
    public bool Equals(FloatAttr? other) => other is not null && BitConverter.SingleToInt32Bits(Value) == BitConverter.SingleToInt32Bits(other.Value);
    public override int GetHashCode() => BitConverter.SingleToInt32Bits(Value);
}

public sealed record BoolAttr(bool Value) : AttrValue
{
    public override AttrKind Kind => AttrKind.Bool;
    public override object ToClr() => Value;
    public override string ToString() => Value ? "true" : "false";
}

public sealed record IntsAttr(ImmutableArray<int> Values) : AttrValue
{
    public override AttrKind Kind => AttrKind.Ints;
    public override object ToClr() => Values.ToArray();
    public override string ToString() => "[" + string.Join(", ", Values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    public bool Equals(IntsAttr? other) => other is not null && Values.SequenceEqual(other.Values);
    public override int GetHashCode() => Values.Aggregate(17, HashCode.Combine);
}

public sealed record DTypeAttr(DType Value) : AttrValue
{
    public override AttrKind Kind => AttrKind.DType;
    public override object ToClr() => Value;
    public override string ToString() => Value.ShortName();
}
