using System.Numerics.Tensors;

namespace DyCompile.Runtime;

/// <summary><c>cast</c>: converts every element to another dtype. float → integer truncates
/// toward zero (saturating at the integer range; NaN becomes 0), i64 → i32 wraps, any → bool
/// is x ≠ 0 (so NaN is true), bool → number is 0/1.</summary>
public static partial class TensorOps
{
    [OpKernel("cast")]
    public static Tensor Cast(Tensor x, DType dtype)
    {
        var result = Tensor.Zeros(dtype, x.ShapeArray());
        CastInto(x, dtype, result);
        return result;
    }

    public static void CastInto(Tensor x, DType dtype, Tensor destination)
    {
        OperandChecks.Destination("cast", destination, dtype, x.Shape);
        switch (x.DType, dtype)
        {
            case (DType.Float32, DType.Float32): x.Floats.CopyTo(destination.Floats); break;
            case (DType.Float32, DType.Int32): Conversions.Run<float, int, Conversions.FloatToInt>(x.Floats, destination.Ints); break;
            case (DType.Float32, DType.Int64): Conversions.Run<float, long, Conversions.FloatToLong>(x.Floats, destination.Longs); break;
            case (DType.Float32, DType.Bool): Conversions.Run<float, bool, Conversions.FloatToBool>(x.Floats, destination.Bools); break;
            case (DType.Int32, DType.Float32): TensorPrimitives.ConvertTruncating<int, float>(x.Ints, destination.Floats); break;
            case (DType.Int32, DType.Int32): x.Ints.CopyTo(destination.Ints); break;
            case (DType.Int32, DType.Int64): Conversions.Run<int, long, Conversions.IntToLong>(x.Ints, destination.Longs); break;
            case (DType.Int32, DType.Bool): Conversions.Run<int, bool, Conversions.IntToBool>(x.Ints, destination.Bools); break;
            case (DType.Int64, DType.Float32): Conversions.Run<long, float, Conversions.LongToFloat>(x.Longs, destination.Floats); break;
            case (DType.Int64, DType.Int32): Conversions.Run<long, int, Conversions.LongToInt>(x.Longs, destination.Ints); break;
            case (DType.Int64, DType.Int64): x.Longs.CopyTo(destination.Longs); break;
            case (DType.Int64, DType.Bool): Conversions.Run<long, bool, Conversions.LongToBool>(x.Longs, destination.Bools); break;
            case (DType.Bool, DType.Float32): Conversions.Run<bool, float, Conversions.BoolToFloat>(x.Bools, destination.Floats); break;
            case (DType.Bool, DType.Int32): Conversions.Run<bool, int, Conversions.BoolToInt>(x.Bools, destination.Ints); break;
            case (DType.Bool, DType.Int64): Conversions.Run<bool, long, Conversions.BoolToLong>(x.Bools, destination.Longs); break;
            case (DType.Bool, DType.Bool): x.Bools.CopyTo(destination.Bools); break;
            default: throw new TensorOpException("cast", $"cannot cast {x.DType.ShortName()} to {dtype.ShortName()}");
        }
    }
}

/// <summary>Element conversions as struct functions, so the conversion loop is specialized
/// and inlined per pair of dtypes.</summary>
internal static class Conversions
{
    internal interface IConversion<TFrom, TTo>
    {
        static abstract TTo Convert(TFrom value);
    }

    public static void Run<TFrom, TTo, TConversion>(ReadOnlySpan<TFrom> source, Span<TTo> target)
        where TConversion : IConversion<TFrom, TTo>
    {
        for (var i = 0; i < source.Length; i++) target[i] = TConversion.Convert(source[i]);
    }

    // .NET float → integer casts saturate and map NaN to 0 on every platform.
    internal readonly struct FloatToInt : IConversion<float, int> { public static int Convert(float value) => (int)value; }
    internal readonly struct FloatToLong : IConversion<float, long> { public static long Convert(float value) => (long)value; }
    internal readonly struct FloatToBool : IConversion<float, bool> { public static bool Convert(float value) => value != 0; }
    internal readonly struct IntToLong : IConversion<int, long> { public static long Convert(int value) => value; }
    internal readonly struct IntToBool : IConversion<int, bool> { public static bool Convert(int value) => value != 0; }
    internal readonly struct LongToFloat : IConversion<long, float> { public static float Convert(long value) => value; }
    internal readonly struct LongToInt : IConversion<long, int> { public static int Convert(long value) => unchecked((int)value); }
    internal readonly struct LongToBool : IConversion<long, bool> { public static bool Convert(long value) => value != 0; }
    internal readonly struct BoolToFloat : IConversion<bool, float> { public static float Convert(bool value) => value ? 1f : 0f; }
    internal readonly struct BoolToInt : IConversion<bool, int> { public static int Convert(bool value) => value ? 1 : 0; }
    internal readonly struct BoolToLong : IConversion<bool, long> { public static long Convert(bool value) => value ? 1L : 0L; }
}
