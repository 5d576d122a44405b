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
        if (inner == 1 && !log)
        {
            SoftmaxRows(x, destination, outer, n);
            return;
        }
        if (inner == 1)
        {
            for (var o = 0; o < outer; o++)
                LogRow(source.Slice(o * n, n), target.Slice(o * n, n));
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

    /// <summary>log_softmax of one contiguous row: (x − max) − log Σ exp(x − max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LogRow(ReadOnlySpan<float> x, Span<float> result)
    {
        var max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, result);
        // The exponentials go through a stack buffer so the shifted values in result survive.
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

    /// <summary>Below this many elements the rows run on the calling thread: a fork/join costs more.</summary>
    private const int ParallelElements = 1 << 14;

    /// <summary>softmax over <paramref name="rows"/> contiguous rows of <paramref name="length"/>, the
    /// rows shared out over the cores when there are enough of them (attention's scores: heads ×
    /// tokens rows).</summary>
    private static void SoftmaxRows(Tensor x, Tensor destination, int rows, int length)
    {
        var path = KernelIsa.Current;
        var threads = Environment.ProcessorCount;
        if (threads > 1 && rows >= 2 * threads && (long)rows * length >= ParallelElements && GemmWorkers.TryAcquire())
        {
            var job = RowsJob.Instance;
            try
            {
                job.Set(x, destination, rows, length, threads, path);
                GemmWorkers.Run(job, threads, threads);
            }
            finally
            {
                job.Set(null, null, 0, 0, 1, path);
                GemmWorkers.Release();
            }
            return;
        }
        RowRange(x.Floats, destination.Floats, 0, rows, length, path);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowRange(ReadOnlySpan<float> source, Span<float> target, int start, int end, int length, SimdPath path)
    {
        for (var o = start; o < end; o++)
            SoftmaxRow(source.Slice(o * length, length), target.Slice(o * length, length), path);
    }

    /// <summary>The rows of one softmax split evenly into one chunk per core.</summary>
    private sealed class RowsJob : GemmJob
    {
        public static readonly RowsJob Instance = new();
        private Tensor? _x, _destination;
        private int _rows, _length, _chunks;
        private SimdPath _path;

        public void Set(Tensor? x, Tensor? destination, int rows, int length, int chunks, SimdPath path) =>
            (_x, _destination, _rows, _length, _chunks, _path) = (x, destination, rows, length, chunks, path);

        public override void Run(int item) =>
            RowRange(_x!.Floats, _destination!.Floats, item * _rows / _chunks, (item + 1) * _rows / _chunks, _length, _path);
    }

    /// <summary>softmax of one row: its max, then one pass that exponentiates x − max
    /// (<see cref="ExpMath"/>, sixteen lanes at a time on the AVX-512 path) and sums, then one that
    /// scales by the sum's reciprocal. Every path computes the same exponentials; the sum is added in a
    /// different order on each, so results may differ between paths in the last place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> result, SimdPath path)
    {
        ref var src = ref MemoryMarshal.GetReference(x);
        ref var r = ref MemoryMarshal.GetReference(result);
        var length = x.Length;
        var wide = path == SimdPath.Avx512 && length >= Vector512<float>.Count;
        var vector = path != SimdPath.Portable && Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count;
        float max;
        if (wide)
        {
            var m = Vector512.LoadUnsafe(ref src);
            var i = Vector512<float>.Count;
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count) m = Vector512.Max(m, Vector512.LoadUnsafe(ref src, (nuint)i));
            // The last vector overlaps the ones before it: a max does not mind.
            m = Vector512.Max(m, Vector512.LoadUnsafe(ref src, (nuint)(length - Vector512<float>.Count)));
            max = MaxOf(m);
        }
        else if (vector)
        {
            var m = Vector256.LoadUnsafe(ref src);
            var i = Vector256<float>.Count;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count) m = Vector256.Max(m, Vector256.LoadUnsafe(ref src, (nuint)i));
            m = Vector256.Max(m, Vector256.LoadUnsafe(ref src, (nuint)(length - Vector256<float>.Count)));
            max = MaxOf(m);
        }
        else
        {
            max = TensorPrimitives.Max(x);
        }
        ExpAndNormalize(x, max, result, path);
    }

    private static float MaxOf(Vector512<float> m) => MaxOf(Vector256.Max(m.GetLower(), m.GetUpper()));

    private static float MaxOf(Vector256<float> m)
    {
        var v = Vector128.Max(m.GetLower(), m.GetUpper());
        // A NaN anywhere makes the whole row NaN, as TensorPrimitives.Max does.
        if (!Vector128.EqualsAll(v, v)) return float.NaN;
        v = Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        return Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2))).ToScalar();
    }

    /// <summary>exp(x − max) of a row into <paramref name="result"/>, then divided by its sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ExpAndNormalize(ReadOnlySpan<float> x, float max, Span<float> result, SimdPath path)
    {
        ref var src = ref MemoryMarshal.GetReference(x);
        ref var r = ref MemoryMarshal.GetReference(result);
        var length = x.Length;
        var i = 0;
        var total = 0f;
        if (path == SimdPath.Avx512 && length >= Vector512<float>.Count)
        {
            var shift = Vector512.Create(max);
            var acc = Vector512<float>.Zero;
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var e = ExpMath.ExpNonPositive(Vector512.LoadUnsafe(ref src, (nuint)i) - shift);
                e.StoreUnsafe(ref r, (nuint)i);
                acc += e;
            }
            total += Vector512.Sum(acc);
        }
        if (path != SimdPath.Portable && Vector256.IsHardwareAccelerated && length - i >= Vector256<float>.Count)
        {
            var shift = Vector256.Create(max);
            var acc = Vector256<float>.Zero;
            // Two vectors a step (see ExpMath), summed in the order of one at a time: 8192 rows of
            // 128 on two Zen 3 cores, against one at a time in one process, 1.0–1.2× over five runs.
            for (; i <= length - 2 * Vector256<float>.Count; i += 2 * Vector256<float>.Count)
            {
                var (e0, e1) = ExpMath.ExpNonPositive(Vector256.LoadUnsafe(ref src, (nuint)i) - shift,
                    Vector256.LoadUnsafe(ref src, (nuint)(i + Vector256<float>.Count)) - shift);
                e0.StoreUnsafe(ref r, (nuint)i);
                e1.StoreUnsafe(ref r, (nuint)(i + Vector256<float>.Count));
                acc += e0;
                acc += e1;
            }
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var e = ExpMath.ExpNonPositive(Vector256.LoadUnsafe(ref src, (nuint)i) - shift);
                e.StoreUnsafe(ref r, (nuint)i);
                acc += e;
            }
            total += Vector256.Sum(acc);
        }
        var vectorized = i > 0;
        for (; i < length; i++)
        {
            var e = ExpMath.ExpNonPositive(Unsafe.Add(ref src, i) - max);
            Unsafe.Add(ref r, i) = e;
            total += e;
        }
        // Without vector accumulators a running float sum of a long row would drift: sum it blockwise.
        if (!vectorized) total = TensorPrimitives.Sum<float>(result);
        // One reciprocal and a multiply per element (within an ulp of the quotient).
        Scale(result, 1f / total, path);
    }

    /// <summary>values ×= <paramref name="factor"/>, inline: on attention's rows of 128 the library
    /// call's own checks and dispatch cost as much as the multiplies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale(Span<float> values, float factor, SimdPath path)
    {
        ref var v = ref MemoryMarshal.GetReference(values);
        var length = values.Length;
        var i = 0;
        if (path == SimdPath.Avx512)
        {
            var f = Vector512.Create(factor);
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref v, (nuint)i) * f).StoreUnsafe(ref v, (nuint)i);
        }
        if (path != SimdPath.Portable && Vector256.IsHardwareAccelerated)
        {
            var f = Vector256.Create(factor);
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref v, (nuint)i) * f).StoreUnsafe(ref v, (nuint)i);
        }
        for (; i < length; i++) Unsafe.Add(ref v, i) *= factor;
    }
}
