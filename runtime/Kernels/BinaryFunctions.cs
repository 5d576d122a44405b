using System.Numerics;
using System.Numerics.Tensors;

namespace DyCompile.Runtime;

/// <summary>The arithmetic binary functions, each with its vectorized span forms.</summary>
internal static class BinaryFunctions
{
    // Where TensorPrimitives has no scalar-first overload the function is commutative
    // (exactly so in IEEE arithmetic), so the operands are swapped.

    internal readonly struct Add<T> : IBinaryFunction<T, T> where T : INumber<T>
    {
        public static T Apply(T a, T b) => a + b;
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Add(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<T> destination) => TensorPrimitives.Add(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Add(b, a, destination);
    }

    internal readonly struct Subtract<T> : IBinaryFunction<T, T> where T : INumber<T>
    {
        public static T Apply(T a, T b) => a - b;
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Subtract(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<T> destination) => TensorPrimitives.Subtract(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Subtract(a, b, destination);
    }

    internal readonly struct Multiply<T> : IBinaryFunction<T, T> where T : INumber<T>
    {
        public static T Apply(T a, T b) => a * b;
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Multiply(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<T> destination) => TensorPrimitives.Multiply(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Multiply(b, a, destination);
    }

    internal readonly struct Divide : IBinaryFunction<float, float>
    {
        public static float Apply(float a, float b) => a / b;
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination) => TensorPrimitives.Divide(a, b, destination);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> destination) => TensorPrimitives.Divide(a, b, destination);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> destination) => TensorPrimitives.Divide(a, b, destination);
    }

    internal readonly struct Power : IBinaryFunction<float, float>
    {
        public static float Apply(float a, float b) => MathF.Pow(a, b);
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination) => TensorPrimitives.Pow(a, b, destination);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> destination)
        {
            // The common exponents are exact and much cheaper as products.
            if (b == 2f) TensorPrimitives.Multiply(a, a, destination);
            else if (b == 1f) a.CopyTo(destination);
            else if (b == 0.5f) TensorPrimitives.Sqrt(a, destination);
            else TensorPrimitives.Pow(a, b, destination);
        }
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> destination) => TensorPrimitives.Pow(a, b, destination);
    }

    /// <summary>Elementwise minimum; a NaN operand gives NaN (PyTorch's <c>minimum</c>).</summary>
    internal readonly struct Minimum<T> : IBinaryFunction<T, T> where T : INumber<T>
    {
        public static T Apply(T a, T b) => T.Min(a, b);
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Min(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<T> destination) => TensorPrimitives.Min(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Min(b, a, destination);
    }

    /// <summary>Elementwise maximum; a NaN operand gives NaN (PyTorch's <c>maximum</c>).</summary>
    internal readonly struct Maximum<T> : IBinaryFunction<T, T> where T : INumber<T>
    {
        public static T Apply(T a, T b) => T.Max(a, b);
        public static void Apply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Max(a, b, destination);
        public static void Apply(ReadOnlySpan<T> a, T b, Span<T> destination) => TensorPrimitives.Max(a, b, destination);
        public static void Apply(T a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Max(b, a, destination);
    }

    /// <summary>Runs a function defined for f32, i32 and i64 on two operands of one dtype.</summary>
    public static void Numeric<TFloat, TInt, TLong>(string op, Tensor a, Tensor b, Tensor destination)
        where TFloat : IBinaryFunction<float, float>
        where TInt : IBinaryFunction<int, int>
        where TLong : IBinaryFunction<long, long>
    {
        var dtype = OperandChecks.SameDType(op, a, b);
        switch (dtype)
        {
            case DType.Float32:
                OperandChecks.BroadcastDestination(op, a, b, destination, dtype);
                ElementwiseLoops.Binary<float, float, TFloat>(a.Floats, a.Shape, b.Floats, b.Shape, destination.Floats, destination.Shape);
                break;
            case DType.Int32:
                OperandChecks.BroadcastDestination(op, a, b, destination, dtype);
                ElementwiseLoops.Binary<int, int, TInt>(a.Ints, a.Shape, b.Ints, b.Shape, destination.Ints, destination.Shape);
                break;
            case DType.Int64:
                OperandChecks.BroadcastDestination(op, a, b, destination, dtype);
                ElementwiseLoops.Binary<long, long, TLong>(a.Longs, a.Shape, b.Longs, b.Shape, destination.Longs, destination.Shape);
                break;
            default:
                throw OperandChecks.UnsupportedDType(op, dtype, "f32, i32, i64");
        }
    }

    /// <summary>Runs a function defined for f32 only.</summary>
    public static void Float<TFloat>(string op, Tensor a, Tensor b, Tensor destination)
        where TFloat : IBinaryFunction<float, float>
    {
        var dtype = OperandChecks.SameDType(op, a, b);
        if (dtype != DType.Float32) throw OperandChecks.UnsupportedDType(op, dtype, "f32");
        OperandChecks.BroadcastDestination(op, a, b, destination, dtype);
        ElementwiseLoops.Binary<float, float, TFloat>(a.Floats, a.Shape, b.Floats, b.Shape, destination.Floats, destination.Shape);
    }

    /// <summary>A zero tensor of the broadcast shape, after the dtype check so that a dtype
    /// mismatch is reported before a shape mismatch.</summary>
    public static Tensor Allocate(string op, Tensor a, Tensor b, DType? resultDType = null)
    {
        var dtype = OperandChecks.SameDType(op, a, b);
        return Tensor.Zeros(resultDType ?? dtype, Shapes.Broadcast(op, a.Shape, b.Shape));
    }
}
