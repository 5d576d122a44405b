using System.Collections.Immutable;
using System.Globalization;

namespace DyCompile.IR;

/// <summary>The literal payload of a <c>const</c> node: its elements in row-major order. A host
/// scalar constant has one element; bools are 0/1. Doubles hold every f32, i32 and bool exactly,
/// and i64 values up to 2^53 in magnitude (the parser rejects larger ones).</summary>
public sealed record ConstPayload(ImmutableArray<double> Values)
{
    public static ConstPayload Of(params double[] values) => new([.. values]);

    public bool Equals(ConstPayload? other) =>
        other is not null && Values.Length == other.Values.Length
        && Values.Zip(other.Values).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second));

    public override int GetHashCode() => Values.Aggregate(17, (h, v) => HashCode.Combine(h, v));

    /// <summary>One element as printed for an element of <paramref name="type"/>.</summary>
    public static string FormatElement(double value, IRType type) => ElementKind(type) switch
    {
        ScalarKind.Float => Literals.FormatFloat((float)value),
        ScalarKind.Bool => value != 0 ? "true" : "false",
        _ => ((long)value).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The scalar kind of one element of a constant of <paramref name="type"/>.</summary>
    public static ScalarKind ElementKind(IRType type) => type switch
    {
        ScalarType s => s.Kind,
        TensorType { DType: Runtime.DType.Float32 } => ScalarKind.Float,
        TensorType { DType: Runtime.DType.Bool } => ScalarKind.Bool,
        _ => ScalarKind.Int,
    };
}
