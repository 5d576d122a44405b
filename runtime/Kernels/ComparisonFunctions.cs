using System.Numerics;
using System.Runtime.InteropServices;

namespace DyCompile.Runtime;

/// <summary>The comparison functions. A bool operand is compared as its byte (false &lt; true).
/// Any comparison with NaN is false, as in IEEE arithmetic and PyTorch.</summary>
internal static class ComparisonFunctions
{
    internal readonly struct Greater<T> : IBinaryFunction<T, bool> where T : IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a > b;
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.SpanSpan<T, bool, Greater<T>>(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => ElementwiseLoops.SpanScalar<T, bool, Greater<T>>(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.ScalarSpan<T, bool, Greater<T>>(a, b, destination);
    }

    internal readonly struct GreaterOrEqual<T> : IBinaryFunction<T, bool> where T : IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a >= b;
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.SpanSpan<T, bool, GreaterOrEqual<T>>(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => ElementwiseLoops.SpanScalar<T, bool, GreaterOrEqual<T>>(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.ScalarSpan<T, bool, GreaterOrEqual<T>>(a, b, destination);
    }

    internal readonly struct Less<T> : IBinaryFunction<T, bool> where T : IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a < b;
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.SpanSpan<T, bool, Less<T>>(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => ElementwiseLoops.SpanScalar<T, bool, Less<T>>(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.ScalarSpan<T, bool, Less<T>>(a, b, destination);
    }

    internal readonly struct LessOrEqual<T> : IBinaryFunction<T, bool> where T : IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a <= b;
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.SpanSpan<T, bool, LessOrEqual<T>>(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => ElementwiseLoops.SpanScalar<T, bool, LessOrEqual<T>>(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.ScalarSpan<T, bool, LessOrEqual<T>>(a, b, destination);
    }

    internal readonly struct Equal<T> : IBinaryFunction<T, bool> where T : IComparisonOperators<T, T, bool>
    {
        public static bool Apply(T a, T b) => a == b;
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.SpanSpan<T, bool, Equal<T>>(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<bool> destination) => ElementwiseLoops.SpanScalar<T, bool, Equal<T>>(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<bool> destination) => ElementwiseLoops.ScalarSpan<T, bool, Equal<T>>(a, b, destination);
    }

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
