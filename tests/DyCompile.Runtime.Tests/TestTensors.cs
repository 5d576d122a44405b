namespace DyCompile.Runtime.Tests;

/// <summary>Small builders and an index-arithmetic reference shared by the op tests.</summary>
internal static class TestTensors
{
    /// <summary>0, 1, 2, … laid out in <paramref name="shape"/>.</summary>
    public static Tensor Arange(params int[] shape)
    {
        var n = Shapes.ElementCount(shape);
        return Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), shape);
    }

    public static Tensor ArangeOf(DType dtype, params int[] shape)
    {
        var n = Shapes.ElementCount(shape);
        return dtype switch
        {
            DType.Float32 => Arange(shape),
            DType.Int32 => Tensor.FromArray(Enumerable.Range(0, n).ToArray(), shape),
            DType.Int64 => Tensor.FromArray(Enumerable.Range(0, n).Select(i => (long)i * 1_000_000_007L).ToArray(), shape),
            DType.Bool => Tensor.FromArray(Enumerable.Range(0, n).Select(i => i % 3 == 1).ToArray(), shape),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
    }

    /// <summary>Multi-index of flat position <paramref name="flat"/> in row-major <paramref name="shape"/>.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    public static int Ravel(int[] index, int[] shape)
    {
        var flat = 0;
        for (var d = 0; d < shape.Length; d++) flat = flat * shape[d] + index[d];
        return flat;
    }

    /// <summary>Element i of the storage as a long, for dtype-agnostic comparisons.</summary>
    public static long Raw(Tensor t, int i) => t.DType switch
    {
        DType.Float32 => BitConverter.SingleToInt32Bits(t.Floats[i]),
        DType.Int32 => t.Ints[i],
        DType.Int64 => t.Longs[i],
        DType.Bool => t.Bools[i] ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static DType[] AllDTypes => [DType.Float32, DType.Int32, DType.Int64, DType.Bool];
}
