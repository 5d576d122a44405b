using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>torch.matmul: 1-D × 1-D is a dot product (rank 0); a 1-D left operand is
    /// treated as a row [1, k] and a 1-D right operand as a column [k, 1], the added dim being
    /// removed from the result; otherwise the last two dims multiply as matrices and the
    /// leading (batch) dims broadcast.</summary>
    [OpKernel("matmul")]
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        // Every element is written by the GEMM (zeros when k = 0).
        var result = DenseArgs.Uninitialized(MatMulShape(a, b));
        MatMulCore(a, b, result);
        return result;
    }

    /// <summary><see cref="MatMul"/> into a destination of the result's shape (not an operand).</summary>
    public static void MatMulInto(Tensor a, Tensor b, Tensor destination)
    {
        OperandChecks.Destination("matmul", destination, DType.Float32, MatMulShape(a, b));
        MatMulCore(a, b, destination);
    }

    private static int[] MatMulShape(Tensor a, Tensor b)
    {
        const string op = "matmul";
        DenseArgs.RequireFloat(op, a, "a");
        DenseArgs.RequireFloat(op, b, "b");
        if (a.Rank == 0 || b.Rank == 0)
            throw TensorOpException.ShapeMismatch(op, a.Shape, b.Shape, "both operands need at least one dimension");
        var aShape = a.Shape;
        var bShape = b.Shape;
        var k = aShape[^1];
        var kb = b.Rank == 1 ? bShape[0] : bShape[^2];
        if (k != kb)
            throw TensorOpException.ShapeMismatch(op, aShape, bShape, $"inner dimensions differ ({k} vs {kb})");
        int[] batch;
        try
        {
            batch = Shapes.Broadcast(op, a.Rank > 2 ? aShape[..^2] : [], b.Rank > 2 ? bShape[..^2] : []);
        }
        catch (TensorOpException)
        {
            throw TensorOpException.ShapeMismatch(op, aShape, bShape, "batch dimensions cannot be broadcast");
        }
        var resultShape = new List<int>(batch);
        if (a.Rank > 1) resultShape.Add(aShape[^2]);
        if (b.Rank > 1) resultShape.Add(bShape[^1]);
        return resultShape.ToArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MatMulCore(Tensor a, Tensor b, Tensor result)
    {
        var aShape = a.Shape;
        var bShape = b.Shape;
        var m = a.Rank == 1 ? 1 : aShape[^2];
        var k = aShape[^1];
        var n = b.Rank == 1 ? 1 : bShape[^1];
        var aBatch = a.Rank > 2 ? aShape[..^2] : [];
        var bBatch = b.Rank > 2 ? bShape[..^2] : [];
        var batch = Shapes.Broadcast("matmul", aBatch, bBatch);
        var batchCount = Shapes.ElementCount(batch);
        if (result.Length == 0 || batchCount == 0) return;

        var aData = a.Floats;
        var bData = b.Floats;
        var cData = result.Floats;
        // A right operand without batch dims multiplies every left matrix: fold the left batch
        // into rows, one larger GEMM instead of many small ones.
        if (bBatch.Length == 0)
        {
            Gemm.Sgemm(false, false, batchCount * m, n, k, aData, k, bData, n, cData, n);
            return;
        }

        var aOffsets = MatMulBatchOffsets(batch, Shapes.BroadcastStrides(aBatch, batch), m * k);
        var bOffsets = MatMulBatchOffsets(batch, Shapes.BroadcastStrides(bBatch, batch), k * n);
        Gemm.SgemmBatch((float[])a.Storage, aOffsets, (float[])b.Storage, bOffsets, (float[])result.Storage, m, n, k);
    }

    /// <summary>Element offset of each batch matrix, walking the broadcast batch index in row-major
    /// order; <paramref name="strides"/> are in units of matrices (0 on broadcast dims).</summary>
    private static int[] MatMulBatchOffsets(int[] batch, int[] strides, int matrixSize)
    {
        var count = Shapes.ElementCount(batch);
        var offsets = new int[count];
        var index = new int[batch.Length];
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            offsets[i] = offset * matrixSize;
            for (var d = batch.Length - 1; d >= 0; d--)
            {
                index[d]++;
                offset += strides[d];
                if (index[d] < batch[d]) break;
                offset -= strides[d] * index[d];
                index[d] = 0;
            }
        }
        return offsets;
    }

    /// <summary>x · weightᵀ + bias over the last dim of x: weight [out, in], bias [out]; the
    /// transpose is never materialized (the GEMM reads weight rows as B columns).</summary>
    [OpKernel("linear")]
    public static Tensor Linear(Tensor x, Tensor weight, Tensor bias)
    {
        const string op = "linear";
        DenseArgs.RequireFloat(op, x, "input");
        DenseArgs.RequireFloat(op, weight, "weight");
        DenseArgs.RequireFloat(op, bias, "bias");
        DenseArgs.RequireRank(op, weight, 2, "weight");
        if (x.Rank == 0)
            throw TensorOpException.ShapeMismatch(op, x.Shape, weight.Shape, "input needs at least one dimension");
        var outFeatures = weight.Dim(0);
        var inFeatures = weight.Dim(1);
        if (x.Dim(-1) != inFeatures)
            throw TensorOpException.ShapeMismatch(op, x.Shape, weight.Shape, $"input features {x.Dim(-1)} differ from weight in-features {inFeatures}");
        if (bias.Rank != 1 || bias.Dim(0) != outFeatures)
            throw TensorOpException.ShapeMismatch(op, bias.Shape, weight.Shape, $"bias must be [{outFeatures}]");

        var shape = x.ShapeArray();
        shape[^1] = outFeatures;
        var result = DenseArgs.Uninitialized(shape); // every row starts as a copy of the bias
        var rows = Shapes.ElementCount(shape.AsSpan(0, shape.Length - 1));
        if (result.Length == 0) return result;

        // Start from the bias and accumulate the product onto it: one pass over C.
        var c = result.Floats;
        var biasData = bias.Floats;
        for (var r = 0; r < rows; r++) biasData.CopyTo(c.Slice(r * outFeatures, outFeatures));
        Gemm.Sgemm(false, true, rows, outFeatures, inFeatures, x.Floats, inFeatures, weight.Floats, inFeatures, c, outFeatures, accumulate: true);
        return result;
    }
}
