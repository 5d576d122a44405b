namespace DyCompile.Runtime;

/// <summary>Operand and attribute checks shared by the dense kernels (matmul, convolution,
/// pooling, normalization). Every failure is a <see cref="TensorOpException"/> naming the op.</summary>
internal static class DenseArgs
{
    public static void RequireFloat(string op, Tensor t, string operand)
    {
        if (t.DType != DType.Float32)
            throw new TensorOpException(op, $"{operand} must be f32, got {t.DType.ShortName()} of shape {Shapes.Format(t.Shape)}");
    }

    public static void RequireRank(string op, Tensor t, int rank, string operand)
    {
        if (t.Rank != rank)
            throw new TensorOpException(op, $"{operand} must have rank {rank}, got shape {Shapes.Format(t.Shape)}");
    }

    /// <summary>A (height, width) pair from a 1- or 2-element attribute (PyTorch accepts an int
    /// for both); an empty attribute takes <paramref name="fallback"/>.</summary>
    public static (int H, int W) Pair(string op, string name, int[] values, (int H, int W)? fallback = null)
    {
        if (values.Length == 0 && fallback is { } f) return f;
        return values.Length switch
        {
            1 => (values[0], values[0]),
            2 => (values[0], values[1]),
            _ => throw new TensorOpException(op, $"{name} must have 1 or 2 values, got [{string.Join(", ", values)}]"),
        };
    }

    /// <summary>Output extent of a sliding window: ⌊(in + 2·pad − dil·(k−1) − 1)/stride⌋ + 1.</summary>
    public static int WindowOutput(string op, Tensor input, int size, int kernel, int stride, int padding, int dilation)
    {
        if (kernel < 1 || stride < 1 || dilation < 1 || padding < 0)
            throw new TensorOpException(op, $"invalid window: kernel {kernel}, stride {stride}, padding {padding}, dilation {dilation} for input of shape {Shapes.Format(input.Shape)}");
        var span = size + 2 * padding - dilation * (kernel - 1) - 1;
        if (span < 0)
            throw new TensorOpException(op, $"kernel {kernel} (dilation {dilation}) is larger than the padded input extent {size + 2 * padding} of shape {Shapes.Format(input.Shape)}");
        return span / stride + 1;
    }

    /// <summary>A float tensor whose storage is not zeroed, for kernels that write every element
    /// (zeroing a large result only to overwrite it costs a full extra pass over memory).</summary>
    public static Tensor Uninitialized(params int[] shape) =>
        Tensor.FromArray(GC.AllocateUninitializedArray<float>(Shapes.ElementCount(shape)), shape);

    /// <summary>Whether an eager loop over <paramref name="items"/> independent pieces of
    /// <paramref name="workPerItem"/> operations is worth spreading over cores.</summary>
    public static bool WorthParallel(int items, long workPerItem) =>
        items > 1 && Environment.ProcessorCount > 1 && items * workPerItem >= 1 << 16;
}
