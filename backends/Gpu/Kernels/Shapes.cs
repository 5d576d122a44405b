using System.Collections.Immutable;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>Host-side shape arithmetic of the kernel launches.</summary>
internal static class KernelShapes
{
    public static int[] ContiguousStrides(IReadOnlyList<int> shape)
    {
        var strides = new int[shape.Count];
        var s = 1L;
        for (var i = shape.Count - 1; i >= 0; i--)
        {
            strides[i] = checked((int)s);
            s *= shape[i];
        }
        return strides;
    }

    public static int[] ContiguousStrides(ImmutableArray<int> shape) => ContiguousStrides((IReadOnlyList<int>)shape);

    /// <summary>The element count as an int: the kernels index with 32-bit ints.</summary>
    public static int Count(IEnumerable<int> shape)
    {
        var n = shape.Aggregate(1L, (a, d) => a * d);
        return n <= int.MaxValue ? (int)n : throw new NotSupportedException($"a tensor of {n} elements is beyond the GPU kernels' 32-bit indexing");
    }

    public static int Axis(string op, int dim, int rank)
    {
        var r = Math.Max(rank, 1);
        var a = dim < 0 ? dim + r : dim;
        return a >= 0 && a < r ? a : throw new ArgumentOutOfRangeException(nameof(dim), $"{op}: dim {dim} is out of range for rank {rank}");
    }

    /// <summary>outer × size × inner around <paramref name="axis"/> (a 0-d tensor is one element).</summary>
    public static (int Outer, int Size, int Inner) AroundAxis(IReadOnlyList<int> shape, int axis)
    {
        if (shape.Count == 0) return (1, 1, 1);
        int outer = 1, inner = 1;
        for (var i = 0; i < axis; i++) outer *= shape[i];
        for (var i = axis + 1; i < shape.Count; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }

    public static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
