using System.Numerics;
using System.Numerics.Tensors;

namespace DyCompile.Runtime;

/// <summary>argmax / argmin along one dim: i64 indices, the first index on ties, and a NaN
/// counts as the extreme value (as in PyTorch).</summary>
public static partial class TensorOps
{
    [OpKernel("argmax")]
    public static Tensor ArgMax(Tensor x, int dim, bool keepdim)
    {
        var result = Tensor.Zeros(DType.Int64, ArgExtremum.ResultShape("argmax", x, dim, keepdim));
        ArgMaxInto(x, dim, keepdim, result);
        return result;
    }

    public static void ArgMaxInto(Tensor x, int dim, bool keepdim, Tensor destination) =>
        ArgExtremum.Run("argmax", x, dim, keepdim, largest: true, destination);

    [OpKernel("argmin")]
    public static Tensor ArgMin(Tensor x, int dim, bool keepdim)
    {
        var result = Tensor.Zeros(DType.Int64, ArgExtremum.ResultShape("argmin", x, dim, keepdim));
        ArgMinInto(x, dim, keepdim, result);
        return result;
    }

    public static void ArgMinInto(Tensor x, int dim, bool keepdim, Tensor destination) =>
        ArgExtremum.Run("argmin", x, dim, keepdim, largest: false, destination);
}

internal static class ArgExtremum
{
    public static int[] ResultShape(string op, Tensor x, int dim, bool keepdim)
    {
        var axis = OperandChecks.SingleDim(op, dim, x.Rank);
        if (x.Rank == 0) return [];
        var shape = x.ShapeArray();
        return keepdim
            ? shape.Select((d, i) => i == axis ? 1 : d).ToArray()
            : shape.Where((_, i) => i != axis).ToArray();
    }

    public static void Run(string op, Tensor x, int dim, bool keepdim, bool largest, Tensor destination)
    {
        var axis = OperandChecks.SingleDim(op, dim, x.Rank);
        ReadOnlySpan<int> shape = x.Rank == 0 ? [1] : x.Shape;
        var n = shape[axis];
        if (n == 0)
            throw new TensorOpException(op, $"dimension {dim} of shape {Shapes.Format(x.Shape)} is empty");
        if (x.DType is not (DType.Float32 or DType.Int32 or DType.Int64))
            throw OperandChecks.UnsupportedDType(op, x.DType, "f32, i32, i64");
        OperandChecks.Destination(op, destination, DType.Int64, ResultShape(op, x, dim, keepdim));
        var outer = 1;
        for (var i = 0; i < axis; i++) outer *= shape[i];
        var inner = 1;
        for (var i = axis + 1; i < shape.Length; i++) inner *= shape[i];

        var indices = destination.Longs;
        switch (x.DType)
        {
            case DType.Float32: Search<float>(x.Floats, outer, n, inner, largest, indices); break;
            case DType.Int32: Search<int>(x.Ints, outer, n, inner, largest, indices); break;
            default: Search<long>(x.Longs, outer, n, inner, largest, indices); break;
        }
    }

    /// <summary>x is viewed as [outer, n, inner]; indices is [outer, inner].</summary>
    private static void Search<T>(ReadOnlySpan<T> x, int outer, int n, int inner, bool largest, Span<long> indices)
        where T : unmanaged, INumber<T>
    {
        var best = inner == 1 ? [] : new T[inner];
        for (var o = 0; o < outer; o++)
        {
            var block = x.Slice(o * n * inner, n * inner);
            if (inner == 1 && typeof(T) == typeof(float))
            {
                // The vectorized search finds the extreme value (the first NaN if there is
                // one); the first index holding that value is then the answer on ties,
                // including between -0 and +0, which the IEEE maximum would not call equal.
                var row = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(block);
                var found = largest ? TensorPrimitives.IndexOfMax(row) : TensorPrimitives.IndexOfMin(row);
                var value = row[found];
                if (!float.IsNaN(value))
                    for (var k = 0; k < found; k++)
                    {
                        if (row[k] == value)
                        {
                            found = k;
                            break;
                        }
                    }
                indices[o] = found;
                continue;
            }
            if (inner == 1)
            {
                var bestIndex = 0;
                var bestValue = block[0];
                for (var k = 1; k < n && !T.IsNaN(bestValue); k++)
                {
                    if (Beats(block[k], bestValue, largest))
                    {
                        bestValue = block[k];
                        bestIndex = k;
                    }
                }
                indices[o] = bestIndex;
                continue;
            }
            // Scan the reduced dim one contiguous row of `inner` at a time.
            var rowIndices = indices.Slice(o * inner, inner);
            block[..inner].CopyTo(best);
            rowIndices.Clear();
            for (var k = 1; k < n; k++)
            {
                var row = block.Slice(k * inner, inner);
                for (var j = 0; j < inner; j++)
                {
                    if (Beats(row[j], best[j], largest))
                    {
                        best[j] = row[j];
                        rowIndices[j] = k;
                    }
                }
            }
        }
    }

    // Strict comparison keeps the first index on ties; a NaN beats everything but an earlier NaN.
    private static bool Beats<T>(T candidate, T current, bool largest) where T : INumber<T> =>
        T.IsNaN(candidate) ? !T.IsNaN(current) : largest ? candidate > current : candidate < current;
}
