using System.Numerics;
using System.Numerics.Tensors;

namespace DyCompile.Runtime;

/// <summary>An associative reduction with its vectorized row forms.</summary>
internal interface IReduction<T>
{
    static abstract T Identity { get; }

    static abstract T Combine(T accumulator, T value);

    /// <summary>The reduction of a whole non-empty row.</summary>
    static abstract T Reduce(ReadOnlySpan<T> row);

    /// <summary>accumulator[i] = Combine(accumulator[i], row[i]).</summary>
    static abstract void Combine(Span<T> accumulator, ReadOnlySpan<T> row);
}

/// <summary>The sum/max/min reductions and the driver that applies one over a set of dims.</summary>
internal static class ReductionFunctions
{
    internal readonly struct Sum<T> : IReduction<T> where T : INumber<T>
    {
        public static T Identity => T.Zero;
        public static T Combine(T accumulator, T value) => accumulator + value;
        public static T Reduce(ReadOnlySpan<T> row) => TensorPrimitives.Sum(row);
        public static void Combine(Span<T> accumulator, ReadOnlySpan<T> row) => TensorPrimitives.Add(accumulator, row, accumulator);
    }

    /// <summary>Maximum; NaN wins (PyTorch's max propagates NaN).</summary>
    internal readonly struct Max<T> : IReduction<T> where T : INumber<T>, IMinMaxValue<T>
    {
        // float.MinValue is the most negative finite value, so -∞ must be asked for separately.
        public static T Identity => typeof(T) == typeof(float) ? T.CreateTruncating(float.NegativeInfinity) : T.MinValue;
        public static T Combine(T accumulator, T value) => T.Max(accumulator, value);
        public static T Reduce(ReadOnlySpan<T> row) => TensorPrimitives.Max(row);
        public static void Combine(Span<T> accumulator, ReadOnlySpan<T> row) => TensorPrimitives.Max(accumulator, row, accumulator);
    }

    /// <summary>Minimum; NaN wins.</summary>
    internal readonly struct Min<T> : IReduction<T> where T : INumber<T>, IMinMaxValue<T>
    {
        public static T Identity => typeof(T) == typeof(float) ? T.CreateTruncating(float.PositiveInfinity) : T.MaxValue;
        public static T Combine(T accumulator, T value) => T.Min(accumulator, value);
        public static T Reduce(ReadOnlySpan<T> row) => TensorPrimitives.Min(row);
        public static void Combine(Span<T> accumulator, ReadOnlySpan<T> row) => TensorPrimitives.Min(accumulator, row, accumulator);
    }

    /// <summary>Reduces <paramref name="x"/> (shape <paramref name="shape"/>) over the dims where
    /// <paramref name="reduced"/> is set into <paramref name="destination"/>, whose layout is that
    /// of the keepdim result.</summary>
    public static void Run<T, TReduction>(ReadOnlySpan<T> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<T> destination)
        where TReduction : IReduction<T>
    {
        destination.Fill(TReduction.Identity);
        if (x.Length == 0) return;
        var rank = shape.Length;
        Span<int> kept = rank <= BroadcastCursor.StackRankLimit ? stackalloc int[rank] : new int[rank];
        for (var i = 0; i < rank; i++) kept[i] = reduced[i] ? 1 : shape[i];

        // Walk the input row by row; the destination is the input "broadcast down" to the kept
        // dims, so its stride along the row is 0 (reduce the row to one value) or 1 (fold the
        // row into a destination row).
        Span<int> scratch = rank <= BroadcastCursor.StackRankLimit
            ? stackalloc int[BroadcastCursor.ScratchLength(BroadcastCursor.StackRankLimit)]
            : new int[BroadcastCursor.ScratchLength(rank)];
        var cursor = new BroadcastCursor(scratch, shape, shape, kept, default, 2);
        var length = cursor.InnerLength;
        if (length < 16)
        {
            // Short rows cost more in per-call overhead of the span primitives than in work.
            for (var row = 0; row < cursor.RowCount; row++)
            {
                var source = x.Slice(cursor.Offset0, length);
                var at = cursor.Offset1;
                if (cursor.InnerStride1 == 0)
                {
                    var accumulator = destination[at];
                    foreach (var value in source) accumulator = TReduction.Combine(accumulator, value);
                    destination[at] = accumulator;
                }
                else
                {
                    for (var i = 0; i < source.Length; i++) destination[at + i] = TReduction.Combine(destination[at + i], source[i]);
                }
                cursor.NextRow();
            }
            return;
        }
        for (var row = 0; row < cursor.RowCount; row++)
        {
            var source = x.Slice(cursor.Offset0, length);
            if (cursor.InnerStride1 == 0)
                destination[cursor.Offset1] = TReduction.Combine(destination[cursor.Offset1], TReduction.Reduce(source));
            else
                TReduction.Combine(destination.Slice(cursor.Offset1, length), source);
            cursor.NextRow();
        }
    }

    /// <summary>What a reduction over <paramref name="dims"/> does: which dims it reduces, the
    /// result shape (with or without them) and how many elements each result folds.</summary>
    public static (bool[] Reduced, int[] Shape, long Count) Plan(string op, Tensor x, int[] dims, bool keepdim)
    {
        var reduced = OperandChecks.ReducedMask(op, x.Rank, dims);
        var shape = new List<int>(x.Rank);
        long count = 1;
        for (var i = 0; i < x.Rank; i++)
        {
            if (reduced[i]) count *= x.Shape[i];
            if (!reduced[i]) shape.Add(x.Shape[i]);
            else if (keepdim) shape.Add(1);
        }
        return (reduced, shape.ToArray(), count);
    }

    /// <summary>The dtype of a sum: f32 stays f32, the integer and bool types sum in i64.</summary>
    public static DType SumDType(string op, DType dtype) => dtype switch
    {
        DType.Float32 => DType.Float32,
        DType.Int32 or DType.Int64 or DType.Bool => DType.Int64,
        _ => throw OperandChecks.UnsupportedDType(op, dtype, "f32, i32, i64, bool"),
    };

    /// <summary>max or min over dims, for f32, i32 and i64.</summary>
    public static void Extremum<TFloat, TInt, TLong>(string op, Tensor x, int[] dims, bool keepdim, Tensor destination)
        where TFloat : IReduction<float>
        where TInt : IReduction<int>
        where TLong : IReduction<long>
    {
        var plan = Plan(op, x, dims, keepdim);
        if (plan.Count == 0)
            throw new TensorOpException(op, $"cannot reduce over dims {Shapes.Format(dims)} of shape {Shapes.Format(x.Shape)}: the reduction is empty and has no identity");
        if (x.DType is not (DType.Float32 or DType.Int32 or DType.Int64))
            throw OperandChecks.UnsupportedDType(op, x.DType, "f32, i32, i64");
        OperandChecks.Destination(op, destination, x.DType, plan.Shape);
        switch (x.DType)
        {
            case DType.Float32: Run<float, TFloat>(x.Floats, x.Shape, plan.Reduced, destination.Floats); break;
            case DType.Int32: Run<int, TInt>(x.Ints, x.Shape, plan.Reduced, destination.Ints); break;
            default: Run<long, TLong>(x.Longs, x.Shape, plan.Reduced, destination.Longs); break;
        }
    }
}
