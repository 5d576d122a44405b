using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Reorders dimensions: result dimension i is input dimension <c>dims[i]</c>.</summary>
    [OpKernel("permute")]
    public static Tensor Permute(Tensor x, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var rank = x.Rank;
        if (dims.Length != rank)
            throw new TensorOpException("permute", $"dims {Shapes.Format(dims)} do not name every dimension of shape {Shapes.Format(x.Shape)}");
        var seen = new bool[rank];
        var perm = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            perm[i] = Shapes.NormalizeAxis("permute", dims[i], rank);
            if (seen[perm[i]])
                throw new TensorOpException("permute", $"dimension {dims[i]} repeats in dims {Shapes.Format(dims)}");
            seen[perm[i]] = true;
        }
        return PermuteNormalized(x, perm);
    }

    /// <summary>Swaps two dimensions.</summary>
    [OpKernel("transpose")]
    public static Tensor Transpose(Tensor x, int dim0, int dim1)
    {
        var rank = x.Rank;
        var perm = Enumerable.Range(0, rank).ToArray();
        if (rank == 0 && dim0 is 0 or -1 && dim1 is 0 or -1)
            return x.Clone(); // PyTorch lets a scalar be "transposed" with itself
        var a = Shapes.NormalizeAxis("transpose", dim0, rank);
        var b = Shapes.NormalizeAxis("transpose", dim1, rank);
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return PermuteNormalized(x, perm);
    }

    private static Tensor PermuteNormalized(Tensor x, int[] perm)
    {
        var rank = perm.Length;
        if (x.DType == DType.Float32 && rank >= 2 && perm[^1] == rank - 2 && perm[^2] == rank - 1 && IsIdentityPrefix(perm, rank - 2))
        {
            // Only the last two dims swap: a batch of matrix transposes.
            var shape = x.ShapeArray();
            (shape[^1], shape[^2]) = (shape[^2], shape[^1]);
            var result = Tensor.Zeros(shape);
            var rows = x.Shape[^2];
            var cols = x.Shape[^1];
            MatrixTranspose.SwapLastTwo(x.Floats, result.Floats, rows * cols == 0 ? 0 : x.Length / (rows * cols), rows, cols);
            return result;
        }
        return PermuteStrided(x, perm);
    }

    private static bool IsIdentityPrefix(int[] perm, int length)
    {
        for (var i = 0; i < length; i++)
            if (perm[i] != i) return false;
        return true;
    }

    private static Tensor PermuteStrided(Tensor x, int[] perm)
    {
        var inStrides = Shapes.Strides(x.Shape);
        var shape = new int[perm.Length];
        var strides = new int[perm.Length];
        for (var i = 0; i < perm.Length; i++)
        {
            shape[i] = x.Shape[perm[i]];
            strides[i] = inStrides[perm[i]];
        }
        return LayoutCopy.Strided(x, 0, shape, strides);
    }
}

/// <summary>The transpose of the last two dims of a dense float tensor (attention's kᵀ): batches
/// of rows × cols matrices, moved through 8 × 8 register tiles so that both the reads and the
/// writes are whole vectors; the ragged edges move one value at a time.</summary>
public static unsafe class MatrixTranspose
{
    /// <summary>destination[b, j, i] = source[b, i, j] for <paramref name="batch"/> matrices of
    /// <paramref name="rows"/> × <paramref name="cols"/>; the two must not overlap.</summary>
    public static void SwapLastTwo(ReadOnlySpan<float> source, Span<float> destination, int batch, int rows, int cols) =>
        SwapLastTwo(source, destination, batch, rows, cols, System.Runtime.Intrinsics.X86.Avx.IsSupported);

    /// <summary>destination[d + j·rows + i] = source[s + i·<paramref name="sourceRowStride"/> + j]
    /// for a rows × cols matrix read with a row stride (one head of a [tokens, heads, dim] tensor,
    /// whose kᵀ is [dim, tokens]); the two must not overlap.</summary>
    public static void Strided(ReadOnlySpan<float> source, int sourceOffset, int sourceRowStride, Span<float> destination, int destinationOffset, int rows, int cols) =>
        Strided(source, sourceOffset, sourceRowStride, destination, destinationOffset, rows, cols, System.Runtime.Intrinsics.X86.Avx.IsSupported);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Strided(ReadOnlySpan<float> source, int sourceOffset, int sourceRowStride, Span<float> destination, int destinationOffset, int rows, int cols, bool vector)
    {
        if (rows < 0 || cols < 0 || sourceOffset < 0 || destinationOffset < 0 || sourceRowStride < cols)
            throw new ArgumentException($"a strided transpose of {rows} x {cols} needs a row stride of at least {cols}, got {sourceRowStride}");
        if (rows == 0 || cols == 0) return;
        if (source.Length < sourceOffset + (long)(rows - 1) * sourceRowStride + cols || destination.Length < destinationOffset + (long)rows * cols)
            throw new ArgumentException($"a strided transpose of {rows} x {cols} reads or writes past its operands");
        fixed (float* src = source, dst = destination)
        {
            var s = src + sourceOffset;
            var d = dst + destinationOffset;
            int rows8 = vector ? rows & ~7 : 0, cols8 = vector ? cols & ~7 : 0;
            for (var i = 0; i < rows8; i += 8)
                for (var j = 0; j < cols8; j += 8)
                    GemmPacking.Transpose8x8(s + (long)i * sourceRowStride + j, sourceRowStride, d + (long)j * rows + i, rows);
            for (var i = 0; i < rows8; i++)
                for (var j = cols8; j < cols; j++)
                    d[(long)j * rows + i] = s[(long)i * sourceRowStride + j];
            for (var i = rows8; i < rows; i++)
                for (var j = 0; j < cols; j++)
                    d[(long)j * rows + i] = s[(long)i * sourceRowStride + j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SwapLastTwo(ReadOnlySpan<float> source, Span<float> destination, int batch, int rows, int cols, bool vector)
    {
        var size = (long)rows * cols;
        if (batch < 0 || rows < 0 || cols < 0 || source.Length < batch * size || destination.Length < batch * size)
            throw new ArgumentException($"a transpose of {batch} matrices of {rows} x {cols} needs {batch * size} values on both sides");
        fixed (float* src = source, dst = destination)
            for (var b = 0; b < batch; b++)
            {
                var s = src + b * size;
                var d = dst + b * size;
                int rows8 = vector ? rows & ~7 : 0, cols8 = vector ? cols & ~7 : 0;
                for (var i = 0; i < rows8; i += 8)
                    for (var j = 0; j < cols8; j += 8)
                        GemmPacking.Transpose8x8(s + (long)i * cols + j, cols, d + (long)j * rows + i, rows);
                // The edges: columns past the last full tile, then rows past it.
                for (var i = 0; i < rows8; i++)
                    for (var j = cols8; j < cols; j++)
                        d[(long)j * rows + i] = s[(long)i * cols + j];
                for (var i = rows8; i < rows; i++)
                    for (var j = 0; j < cols; j++)
                        d[(long)j * rows + i] = s[(long)i * cols + j];
            }
    }
}
