using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>permute(scale · matmul(permute(a, aOrder), permute(b, bOrder)), resultOrder) into
    /// <paramref name="destination"/>, for operands of one rank whose batch dims agree (no
    /// broadcasting); <paramref name="scale"/> is null (1) or holds one element. An order lists, as
    /// <see cref="Permute"/> does, the source dim of each dim of the permuted tensor. Attention's
    /// heads are this product: q and v read as [batch, heads, tokens, dim] out of the
    /// [batch, tokens, heads, dim] projections, k as its transpose, and the result stored straight
    /// into [batch, tokens, heads, dim]. Where the orders keep a unit-stride dim in each matrix
    /// (<see cref="PermutedMatMulRunsInPlace"/>), the GEMM reads and writes the strided heads in
    /// place; otherwise the permuted operands are copied first. The destination must not share
    /// storage with a or b.</summary>
    public static void PermutedMatMulInto(Tensor a, int[] aOrder, Tensor b, int[] bOrder, Tensor? scale, int[] resultOrder, Tensor destination) =>
        PermutedMatMul.Run(a, aOrder, b, bOrder, scale, resultOrder, destination);

    /// <summary>Whether <see cref="PermutedMatMulInto"/> runs these orders (of operands of rank
    /// <paramref name="rank"/>) without copying an operand: the permuted A keeps the source's last
    /// dim last, the permuted B keeps it in one of its two matrix dims, and the result's last dim
    /// stays last in the destination.</summary>
    public static bool PermutedMatMulRunsInPlace(int rank, int[] aOrder, int[] bOrder, int[] resultOrder) =>
        rank >= 2 && aOrder.Length == rank && bOrder.Length == rank && resultOrder.Length == rank
        && aOrder[^1] == rank - 1 && (bOrder[^1] == rank - 1 || bOrder[^2] == rank - 1) && resultOrder[^1] == rank - 1;
}

internal static class PermutedMatMul
{
    private const string Op = "matmul";

    /// <summary>Per-thread offsets of the batch's products (grown, never shrunk): a compiled call allocates nothing.</summary>
    [ThreadStatic] private static int[]? _aOffsets, _bOffsets, _cOffsets;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(Tensor a, int[] aOrder, Tensor b, int[] bOrder, Tensor? scale, int[] resultOrder, Tensor destination)
    {
        DenseArgs.RequireFloat(Op, a, "a");
        DenseArgs.RequireFloat(Op, b, "b");
        var rank = a.Rank;
        if (rank < 2 || b.Rank != rank)
            throw TensorOpException.ShapeMismatch(Op, a.Shape, b.Shape, "a permuted product needs two operands of one rank, at least 2");
        CheckOrder(aOrder, rank, "aOrder");
        CheckOrder(bOrder, rank, "bOrder");
        CheckOrder(resultOrder, rank, "resultOrder");
        var s = 1f;
        if (scale is not null)
        {
            DenseArgs.RequireFloat(Op, scale, "scale");
            if (scale.Length != 1) throw new TensorOpException(Op, $"the scale must hold one element, got shape {Shapes.Format(scale.Shape)}");
            s = scale.Floats[0];
        }
        var m = a.Shape[aOrder[rank - 2]];
        var k = a.Shape[aOrder[rank - 1]];
        var n = b.Shape[bOrder[rank - 1]];
        if (b.Shape[bOrder[rank - 2]] != k)
            throw TensorOpException.ShapeMismatch(Op, Permuted(a.Shape, aOrder), Permuted(b.Shape, bOrder), $"inner dimensions differ ({k} vs {b.Shape[bOrder[rank - 2]]})");
        Span<int> product = stackalloc int[rank];
        for (var d = 0; d < rank - 2; d++)
        {
            product[d] = a.Shape[aOrder[d]];
            if (b.Shape[bOrder[d]] != product[d])
                throw TensorOpException.ShapeMismatch(Op, Permuted(a.Shape, aOrder), Permuted(b.Shape, bOrder), "the batch dimensions of a permuted product must agree");
        }
        (product[rank - 2], product[rank - 1]) = (m, n);
        Span<int> expected = stackalloc int[rank];
        for (var j = 0; j < rank; j++) expected[j] = product[resultOrder[j]];
        OperandChecks.Destination(Op, destination, DType.Float32, expected);
        if (ReferenceEquals(destination.Storage, a.Storage) || ReferenceEquals(destination.Storage, b.Storage))
            throw new TensorOpException(Op, "the destination of a permuted product must not share storage with its operands");

        if (!TensorOps.PermutedMatMulRunsInPlace(rank, aOrder, bOrder, resultOrder))
        {
            RunOnCopies(a, aOrder, b, bOrder, s, resultOrder, destination);
            return;
        }
        Span<int> aStrides = stackalloc int[rank], bStrides = stackalloc int[rank], dStrides = stackalloc int[rank], cStrides = stackalloc int[rank];
        Strides(a.Shape, aStrides);
        Strides(b.Shape, bStrides);
        Strides(destination.Shape, dStrides);
        // The destination stride of each dim of the (unpermuted) product.
        for (var j = 0; j < rank; j++) cStrides[resultOrder[j]] = dStrides[j];
        var transB = bOrder[rank - 1] != rank - 1;
        var ldb = transB ? bStrides[bOrder[rank - 1]] : bStrides[bOrder[rank - 2]];
        var count = 1;
        for (var d = 0; d < rank - 2; d++) count *= product[d];
        var aOffsets = Scratch(ref _aOffsets, count);
        var bOffsets = Scratch(ref _bOffsets, count);
        var cOffsets = Scratch(ref _cOffsets, count);
        for (var i = 0; i < count; i++)
        {
            // Batch index i in row-major order over the product's batch dims.
            int rest = i, ao = 0, bo = 0, co = 0;
            for (var d = rank - 3; d >= 0; d--)
            {
                var index = rest % product[d];
                rest /= product[d];
                ao += index * aStrides[aOrder[d]];
                bo += index * bStrides[bOrder[d]];
                co += index * cStrides[d];
            }
            (aOffsets[i], bOffsets[i], cOffsets[i]) = (ao, bo, co);
        }
        var layout = new GemmBatchLayout(aOffsets, aStrides[aOrder[rank - 2]], bOffsets, ldb, transB, cOffsets, cStrides[rank - 2], m, n, k, count);
        Gemm.SgemmStridedBatch(layout, (float[])a.Storage, (float[])b.Storage, (float[])destination.Storage, s);
    }

    /// <summary>Orders the GEMM cannot read in place: the permuted operands copied, multiplied, scaled and permuted into the destination.</summary>
    private static void RunOnCopies(Tensor a, int[] aOrder, Tensor b, int[] bOrder, float scale, int[] resultOrder, Tensor destination)
    {
        var product = TensorOps.MatMul(TensorOps.Permute(a, aOrder), TensorOps.Permute(b, bOrder));
        if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(product.Floats, scale, product.Floats);
        TensorOps.Permute(product, resultOrder).Floats.CopyTo(destination.Floats);
    }

    private static void CheckOrder(int[] order, int rank, string name)
    {
        ArgumentNullException.ThrowIfNull(order, name);
        var valid = order.Length == rank;
        Span<bool> seen = stackalloc bool[rank];
        for (var i = 0; valid && i < order.Length; i++)
        {
            valid = order[i] >= 0 && order[i] < rank && !seen[order[i]];
            if (valid) seen[order[i]] = true;
        }
        if (!valid) throw new TensorOpException(Op, $"{name} {Shapes.Format(order)} is not a permutation of the {rank} dims");
    }

    private static int[] Permuted(ReadOnlySpan<int> shape, int[] order)
    {
        var result = new int[order.Length];
        for (var i = 0; i < order.Length; i++) result[i] = shape[order[i]];
        return result;
    }

    private static void Strides(ReadOnlySpan<int> shape, Span<int> strides)
    {
        for (int d = shape.Length - 1, stride = 1; d >= 0; stride *= shape[d], d--) strides[d] = stride;
    }

    private static int[] Scratch(ref int[]? buffer, int count) => buffer is { } b && b.Length >= count ? b : buffer = new int[Math.Max(count, 16)];
}
