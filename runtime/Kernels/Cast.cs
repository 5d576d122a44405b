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
            case (DType.Float32, DType.Int32): Convert(x.Floats, destination.Ints, static v => (int)v); break;
            case (DType.Float32, DType.Int64): Convert(x.Floats, destination.Longs, static v => (long)v); break;
            case (DType.Float32, DType.Bool): Convert(x.Floats, destination.Bools, static v => v != 0); break;
            case (DType.Int32, DType.Float32): TensorPrimitives.ConvertTruncating<int, float>(x.Ints, destination.Floats); break;
            case (DType.Int32, DType.Int32): x.Ints.CopyTo(destination.Ints); break;
            case (DType.Int32, DType.Int64): Convert(x.Ints, destination.Longs, static v => v); break;
            case (DType.Int32, DType.Bool): Convert(x.Ints, destination.Bools, static v => v != 0); break;
            case (DType.Int64, DType.Float32): Convert(x.Longs, destination.Floats, static v => v); break;
            case (DType.Int64, DType.Int32): Convert(x.Longs, destination.Ints, static v => unchecked((int)v)); break;
            case (DType.Int64, DType.Int64): x.Longs.CopyTo(destination.Longs); break;
            case (DType.Int64, DType.Bool): Convert(x.Longs, destination.Bools, static v => v != 0); break;
            case (DType.Bool, DType.Float32): Convert(x.Bools, destination.Floats, static v => v ? 1f : 0f); break;
            case (DType.Bool, DType.Int32): Convert(x.Bools, destination.Ints, static v => v ? 1 : 0); break;
            case (DType.Bool, DType.Int64): Convert(x.Bools, destination.Longs, static v => v ? 1L : 0L); break;
            case (DType.Bool, DType.Bool): x.Bools.CopyTo(destination.Bools); break;
            default: throw new TensorOpException("cast", $"cannot cast {x.DType.ShortName()} to {dtype.ShortName()}");
        }

        static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> target, Func<TFrom, TTo> convert)
        {
            for (var i = 0; i < source.Length; i++) target[i] = convert(source[i]);
        }
    }
}
