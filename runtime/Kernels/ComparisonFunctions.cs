using System.Numerics;
using System.Runtime.InteropServices;

namespace DyCompile.Runtime;

/// <summary>The comparison functions. A bool operand is compared as its byte (false &lt; true).
/// Any comparison with NaN is false, as in IEEE arithmetic and PyTorch.</summary>
internal static class ComparisonFunctions
{
    /// <summary>The comparison on whole vectors: all-ones lanes where it holds.</summary>
    internal interface IVectorPredicate
    {
        static abstract Vector<TLane> Compare<TLane>(Vector<TLane> a, Vector<TLane> b);
    }

    internal readonly struct Greater<T> : IBinaryFunction<T, bool>, IVectorPredicate
        where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a > b;
        public static Vector<TLane> Compare<TLane>(Vector<TLane> a, Vector<TLane> b) => Vector.GreaterThan(a, b);
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, Greater<T>>(a, false, b, false, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => Spans<T, Greater<T>>(a, false, new ReadOnlySpan<T>(in b), true, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, Greater<T>>(new ReadOnlySpan<T>(in a), true, b, false, destination);
    }

    internal readonly struct GreaterOrEqual<T> : IBinaryFunction<T, bool>, IVectorPredicate
        where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a >= b;
        public static Vector<TLane> Compare<TLane>(Vector<TLane> a, Vector<TLane> b) => Vector.GreaterThanOrEqual(a, b);
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, GreaterOrEqual<T>>(a, false, b, false, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => Spans<T, GreaterOrEqual<T>>(a, false, new ReadOnlySpan<T>(in b), true, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, GreaterOrEqual<T>>(new ReadOnlySpan<T>(in a), true, b, false, destination);
    }

    internal readonly struct Less<T> : IBinaryFunction<T, bool>, IVectorPredicate
        where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a < b;
        public static Vector<TLane> Compare<TLane>(Vector<TLane> a, Vector<TLane> b) => Vector.LessThan(a, b);
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, Less<T>>(a, false, b, false, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => Spans<T, Less<T>>(a, false, new ReadOnlySpan<T>(in b), true, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, Less<T>>(new ReadOnlySpan<T>(in a), true, b, false, destination);
    }

    internal readonly struct LessOrEqual<T> : IBinaryFunction<T, bool>, IVectorPredicate
        where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a <= b;
        public static Vector<TLane> Compare<TLane>(Vector<TLane> a, Vector<TLane> b) => Vector.LessThanOrEqual(a, b);
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, LessOrEqual<T>>(a, false, b, false, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => Spans<T, LessOrEqual<T>>(a, false, new ReadOnlySpan<T>(in b), true, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, LessOrEqual<T>>(new ReadOnlySpan<T>(in a), true, b, false, destination);
    }

    internal readonly struct Equal<T> : IBinaryFunction<T, bool>, IVectorPredicate
        where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a == b;
        public static Vector<TLane> Compare<TLane>(Vector<TLane> a, Vector<TLane> b) => Vector.Equals(a, b);
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, Equal<T>>(a, false, b, false, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => Spans<T, Equal<T>>(a, false, new ReadOnlySpan<T>(in b), true, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => Spans<T, Equal<T>>(new ReadOnlySpan<T>(in a), true, b, false, destination);
    }

    /// <summary>destination[i] = a[i] op b[i], where a one-element operand flagged as a scalar
    /// is repeated. 32-bit lanes are compared a vector at a time and the lane masks narrowed
    /// to bytes; other element types take the scalar loop.</summary>
    private static void Spans<T, TPredicate>(ReadOnlySpan<T> a, bool aScalar, ReadOnlySpan<T> b, bool bScalar, Span<bool> destination)
        where T : unmanaged
        where TPredicate : IBinaryFunction<T, bool>, IVectorPredicate
    {
        var i = 0;
        if (typeof(T) == typeof(float))
            i = Vectorized<float, TPredicate>(MemoryMarshal.Cast<T, float>(a), aScalar, MemoryMarshal.Cast<T, float>(b), bScalar, destination);
        else if (typeof(T) == typeof(int))
            i = Vectorized<int, TPredicate>(MemoryMarshal.Cast<T, int>(a), aScalar, MemoryMarshal.Cast<T, int>(b), bScalar, destination);
        for (; i < destination.Length; i++)
            destination[i] = TPredicate.Apply(a[aScalar ? 0 : i], b[bScalar ? 0 : i]);
    }

    /// <summary>Handles a prefix of whole vector blocks; returns how many elements it did.</summary>
    private static int Vectorized<TLane, TPredicate>(ReadOnlySpan<TLane> a, bool aScalar, ReadOnlySpan<TLane> b, bool bScalar, Span<bool> destination)
        where TLane : unmanaged
        where TPredicate : IVectorPredicate
    {
        var lanes = Vector<TLane>.Count;
        var block = 4 * lanes; // four vectors of 32-bit masks narrow into one vector of bytes
        var n = destination.Length;
        if (!Vector.IsHardwareAccelerated || n < block) return 0;
        var bytes = MemoryMarshal.AsBytes(destination);
        var sa = aScalar ? new Vector<TLane>(a[0]) : default;
        var sb = bScalar ? new Vector<TLane>(b[0]) : default;
        var one = Vector<byte>.One;
        var i = 0;
        for (; i <= n - block; i += block)
        {
            var m0 = Mask<TLane, TPredicate>(a, aScalar, sa, b, bScalar, sb, i);
            var m1 = Mask<TLane, TPredicate>(a, aScalar, sa, b, bScalar, sb, i + lanes);
            var m2 = Mask<TLane, TPredicate>(a, aScalar, sa, b, bScalar, sb, i + 2 * lanes);
            var m3 = Mask<TLane, TPredicate>(a, aScalar, sa, b, bScalar, sb, i + 3 * lanes);
            var packed = Vector.Narrow(Vector.Narrow(m0, m1), Vector.Narrow(m2, m3));
            (Vector.AsVectorByte(packed) & one).CopyTo(bytes[i..]);
        }
        return i;
    }

    private static Vector<int> Mask<TLane, TPredicate>(
        ReadOnlySpan<TLane> a, bool aScalar, Vector<TLane> sa, ReadOnlySpan<TLane> b, bool bScalar, Vector<TLane> sb, int at)
        where TLane : unmanaged
        where TPredicate : IVectorPredicate =>
        Vector.AsVectorInt32(TPredicate.Compare(aScalar ? sa : new Vector<TLane>(a[at..]), bScalar ? sb : new Vector<TLane>(b[at..])));

    public static void Run<TFloat, TInt, TLong, TByte>(string op, Tensor a, Tensor b, Tensor destination)
        where TFloat : IBinaryFunction<float, bool>
        where TInt : IBinaryFunction<int, bool>
        where TLong : IBinaryFunction<long, bool>
        where TByte : IBinaryFunction<byte, bool>
    {
        var dtype = OperandChecks.SameDType(op, a, b);
        OperandChecks.BroadcastDestination(op, a, b, destination, DType.Bool);
        var d = destination.Bools;
        switch (dtype)
        {
            case DType.Float32:
                ElementwiseLoops.Binary<float, bool, TFloat>(a.Floats, a.Shape, b.Floats, b.Shape, d, destination.Shape);
                break;
            case DType.Int32:
                ElementwiseLoops.Binary<int, bool, TInt>(a.Ints, a.Shape, b.Ints, b.Shape, d, destination.Shape);
                break;
            case DType.Int64:
                ElementwiseLoops.Binary<long, bool, TLong>(a.Longs, a.Shape, b.Longs, b.Shape, d, destination.Shape);
                break;
            case DType.Bool:
                ElementwiseLoops.Binary<byte, bool, TByte>(
                    MemoryMarshal.AsBytes(a.Bools), a.Shape, MemoryMarshal.AsBytes(b.Bools), b.Shape, d, destination.Shape);
                break;
            default:
                throw OperandChecks.UnsupportedDType(op, dtype, "f32, i32, i64, bool");
        }
    }
}
