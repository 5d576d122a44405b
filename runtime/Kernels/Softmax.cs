using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>softmax and log_softmax along one dim, numerically stable (the maximum along the
/// dim is subtracted before exponentiating).</summary>
public static partial class TensorOps
{
    [OpKernel("softmax")]
    public static Tensor Softmax(Tensor x, int dim)
    {
        var result = Tensor.Zeros(DType.Float32, x.ShapeArray());
        SoftmaxInto(x, dim, result);
        return result;
    }

    public static void SoftmaxInto(Tensor x, int dim, Tensor destination) => SoftmaxKernel.Run("softmax", x, dim, destination, log: false);

    [OpKernel("log_softmax")]
    public static Tensor LogSoftmax(Tensor x, int dim)
    {
        var result = Tensor.Zeros(DType.Float32, x.ShapeArray());
        LogSoftmaxInto(x, dim, result);
        return result;
    }

    public static void LogSoftmaxInto(Tensor x, int dim, Tensor destination) => SoftmaxKernel.Run("log_softmax", x, dim, destination, log: true);
}

internal static class SoftmaxKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(string op, Tensor x, int dim, Tensor destination, bool log)
    {
        OperandChecks.RequireFloat(op, x);
        var axis = OperandChecks.SingleDim(op, dim, x.Rank);
        OperandChecks.Destination(op, destination, DType.Float32, x.Shape);
        // The shape is read in place: a compiled model calls this on every step, allocation-free.
        var shape = x.Shape;
        var n = x.Rank == 0 ? 1 : shape[axis];
        var outer = 1;
        for (var i = 0; i < axis; i++) outer *= shape[i];
        var inner = 1;
        for (var i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        if (n == 0 || outer == 0 || inner == 0) return;

        ReadOnlySpan<float> source = x.Floats;
        var target = destination.Floats;
        if (inner == 1)
        {
            for (var o = 0; o < outer; o++)
                Row(source.Slice(o * n, n), target.Slice(o * n, n), log);
            return;
        }

        // The dim is strided: work on whole rows of `inner` elements so that every step stays a
        // vectorized span operation; scratch rows hold the running max and sum.
        var scratch = new float[3 * inner];
        var max = scratch.AsSpan(0, inner);
        var sum = scratch.AsSpan(inner, inner);
        var exp = scratch.AsSpan(2 * inner, inner);
        for (var o = 0; o < outer; o++)
        {
            var block = source.Slice(o * n * inner, n * inner);
            var result = target.Slice(o * n * inner, n * inner);
            block[..inner].CopyTo(max);
            for (var k = 1; k < n; k++) TensorPrimitives.Max(max, block.Slice(k * inner, inner), max);
            sum.Clear();
            for (var k = 0; k < n; k++)
            {
                var r = result.Slice(k * inner, inner);
                TensorPrimitives.Subtract(block.Slice(k * inner, inner), max, r);
                if (log)
                {
                    // Accumulate exp(x - max) without keeping it; r keeps x - max.
                    TensorPrimitives.Exp(r, exp);
                    TensorPrimitives.Add(sum, exp, sum);
                }
                else
                {
                    TensorPrimitives.Exp(r, r);
                    TensorPrimitives.Add(sum, r, sum);
                }
            }
            if (log)
            {
                TensorPrimitives.Log(sum, sum);
                for (var k = 0; k < n; k++)
                {
                    var r = result.Slice(k * inner, inner);
                    TensorPrimitives.Subtract(r, sum, r);
                }
            }
            else
            {
                for (var k = 0; k < n; k++)
                {
                    var r = result.Slice(k * inner, inner);
                    TensorPrimitives.Divide(r, sum, r);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(ReadOnlySpan<float> x, Span<float> result, bool log)
    {
        var max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, result);
        if (log)
        {
            // log_softmax = (x - max) - log Σ exp(x - max); the exponentials go through a
            // stack buffer so the shifted values in result survive.
            const int chunk = 512;
            Span<float> exp = stackalloc float[chunk];
            var total = 0f;
            for (var start = 0; start < result.Length; start += chunk)
            {
                var count = Math.Min(chunk, result.Length - start);
                TensorPrimitives.Exp(result.Slice(start, count), exp[..count]);
                total += TensorPrimitives.Sum<float>(exp[..count]);
            }
            TensorPrimitives.Subtract(result, MathF.Log(total), result);
        }
        else
        {
            SoftmaxRow(result, KernelIsa.Current);
        }
    }

    /// <summary>softmax of a row already shifted by its max (every value ≤ 0), in place: one pass
    /// exponentiates and sums (<see cref="ExpMath"/>, sixteen lanes at a time on the AVX-512 path),
    /// one divides by the sum. Every path computes the same exponentials; the sum is added in a
    /// different order on each, so results may differ between paths in the last place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SoftmaxRow(Span<float> shifted, SimdPath path)
    {
        ref var r = ref MemoryMarshal.GetReference(shifted);
        var length = shifted.Length;
        var i = 0;
        var total = 0f;
        if (path == SimdPath.Avx512 && length >= Vector512<float>.Count)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var e = ExpMath.ExpNonPositive(Vector512.LoadUnsafe(ref r, (nuint)i));
                e.StoreUnsafe(ref r, (nuint)i);
                acc += e;
            }
            total += Vector512.Sum(acc);
        }
        if (path != SimdPath.Portable && Vector256.IsHardwareAccelerated && length - i >= Vector256<float>.Count)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var e = ExpMath.ExpNonPositive(Vector256.LoadUnsafe(ref r, (nuint)i));
                e.StoreUnsafe(ref r, (nuint)i);
                acc += e;
            }
            total += Vector256.Sum(acc);
        }
        var vectorized = i > 0;
        for (; i < length; i++)
        {
            var e = ExpMath.ExpNonPositive(Unsafe.Add(ref r, i));
            Unsafe.Add(ref r, i) = e;
            total += e;
        }
        // Without vector accumulators a running float sum of a long row would drift: sum it blockwise.
        if (!vectorized) total = TensorPrimitives.Sum<float>(shifted);
        TensorPrimitives.Divide(shifted, total, shifted);
    }
}
