using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DyCompile.Runtime;

/// <summary>Materializes a strided view of a contiguous tensor into a new contiguous tensor.
/// Every data-movement op (permute, expand, slice) is such a view: an output shape plus, per
/// output dimension, the step in the source storage (0 for a broadcast dimension).</summary>
internal static class LayoutCopy
{
    private const int Tile = 32;

    /// <summary>A new contiguous tensor whose element at multi-index i is
    /// <c>source[offset + Σ i_k · strides_k]</c>.</summary>
    public static Tensor Strided(Tensor source, int offset, int[] shape, int[] strides)
    {
        var result = Tensor.Zeros(source.DType, shape);
        if (result.Length == 0) return result;
        var (s, st) = Coalesce(shape, strides);
        switch (source.Storage)
        {
            case float[] f: Copy(f, offset, (float[])result.Storage, s, st); break;
            case int[] i: Copy(i, offset, (int[])result.Storage, s, st); break;
            case long[] l: Copy(l, offset, (long[])result.Storage, s, st); break;
            case bool[] b: Copy(b, offset, (bool[])result.Storage, s, st); break;
            default: throw new InvalidOperationException($"unsupported storage {source.Storage.GetType().Name}");
        }
        return result;
    }

    /// <summary>A new tensor of <paramref name="shape"/> whose flat element i is
    /// <c>source[sourceIndex[i]]</c> (the indices are trusted: callers validate them).</summary>
    public static Tensor Take(Tensor source, int[] sourceIndex, int[] shape)
    {
        var result = Tensor.Zeros(source.DType, shape);
        switch (source.Storage)
        {
            case float[] f: TakeCore(f, sourceIndex, (float[])result.Storage); break;
            case int[] i: TakeCore(i, sourceIndex, (int[])result.Storage); break;
            case long[] l: TakeCore(l, sourceIndex, (long[])result.Storage); break;
            case bool[] b: TakeCore(b, sourceIndex, (bool[])result.Storage); break;
            default: throw new InvalidOperationException($"unsupported storage {source.Storage.GetType().Name}");
        }
        return result;
    }

    private static void TakeCore<T>(T[] source, int[] sourceIndex, T[] destination)
    {
        for (var i = 0; i < sourceIndex.Length; i++) destination[i] = source[sourceIndex[i]];
    }

    /// <summary>Drops size-1 dimensions and merges neighbours that are also neighbours in the
    /// source, so that e.g. a permute that keeps the last two axes together copies whole rows.</summary>
    private static (int[] Shape, int[] Strides) Coalesce(int[] shape, int[] strides)
    {
        var s = new List<int>(shape.Length);
        var st = new List<int>(shape.Length);
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            if (s.Count > 0 && st[^1] == strides[d] * shape[d])
            {
                s[^1] *= shape[d];
                st[^1] = strides[d];
                continue;
            }
            s.Add(shape[d]);
            st.Add(strides[d]);
        }
        return (s.ToArray(), st.ToArray());
    }

    private static void Copy<T>(T[] source, int offset, T[] destination, int[] shape, int[] strides)
    {
        var rank = shape.Length;
        if (rank == 0)
        {
            destination[0] = source[offset];
            return;
        }
        var destinationStrides = Shapes.Strides(shape);
        var last = rank - 1;
        var inner = shape[last];
        var innerStride = strides[last];
        // When the source's contiguous axis is not the output's last one, copy 2-D tiles of
        // (that axis × last axis) so both reads and writes stay within a few cache lines.
        var blockDim = innerStride is 0 or 1 ? -1 : Array.IndexOf(strides, 1, 0, last);
        var outer = Enumerable.Range(0, last).Where(d => d != blockDim).ToArray();
        var counter = new int[outer.Length];
        int sourceBase = offset, destinationBase = 0;
        while (true)
        {
            if (innerStride == 1)
                source.AsSpan(sourceBase, inner).CopyTo(destination.AsSpan(destinationBase, inner));
            else if (innerStride == 0)
                destination.AsSpan(destinationBase, inner).Fill(source[sourceBase]);
            else if (blockDim < 0)
                for (var c = 0; c < inner; c++) destination[destinationBase + c] = source[sourceBase + c * innerStride];
            else
                TransposeTiles(source, sourceBase, innerStride, destination, destinationBase, destinationStrides[blockDim], shape[blockDim], inner);

            var k = outer.Length - 1;
            for (; k >= 0; k--)
            {
                var d = outer[k];
                sourceBase += strides[d];
                destinationBase += destinationStrides[d];
                if (++counter[k] < shape[d]) break;
                sourceBase -= strides[d] * shape[d];
                destinationBase -= destinationStrides[d] * shape[d];
                counter[k] = 0;
            }
            if (k < 0) return;
        }
    }

    /// <summary><c>destination[r·rowStride + c] = source[r + c·columnStride]</c> for r &lt; rows, c &lt; columns.</summary>
    /// <remarks>Callers guarantee every index is inside both arrays (the view was validated), so
    /// the tile loops read and write through refs without per-element bounds checks.</remarks>
    private static void TransposeTiles<T>(T[] source, int sourceBase, int columnStride, T[] destination, int destinationBase, int rowStride, int rows, int columns)
    {
        // The unchecked loops below rely on these two corners; checking them keeps a wrong view from corrupting memory.
        if ((long)sourceBase + (rows - 1) + (long)(columns - 1) * columnStride >= source.Length
            || (long)destinationBase + (long)(rows - 1) * rowStride + (columns - 1) >= destination.Length)
            throw new InvalidOperationException("strided view reaches outside its storage");
        ref var src = ref MemoryMarshal.GetArrayDataReference(source);
        ref var dst = ref MemoryMarshal.GetArrayDataReference(destination);
        for (var r0 = 0; r0 < rows; r0 += Tile)
        {
            var rEnd = Math.Min(r0 + Tile, rows);
            for (var c0 = 0; c0 < columns; c0 += Tile)
            {
                var cEnd = Math.Min(c0 + Tile, columns);
                for (var r = r0; r < rEnd; r++)
                {
                    ref var d = ref Unsafe.Add(ref dst, (nint)destinationBase + (nint)r * rowStride);
                    ref var s = ref Unsafe.Add(ref src, (nint)sourceBase + r);
                    for (var c = c0; c < cEnd; c++) Unsafe.Add(ref d, c) = Unsafe.Add(ref s, (nint)c * columnStride);
                }
            }
        }
    }
}
