using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests.Kernels;

/// <summary>The copy kernels (layout ops, concat, split), indexing, topk, pooling and cast
/// against the eager kernels, for every dtype the ops accept.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class DataMovementKernelTests(CpuAcceleratorFixture gpu)
{
    private static IEnumerable<Tensor> EveryDType(Random rng, params int[] shape) =>
        [Oracle.Floats(rng, shape), Oracle.Ints(rng, 100, shape), Oracle.Longs(rng, 1 << 30, shape), Oracle.Bools(rng, shape)];

    [Fact]
    public void LayoutOpsMatchEager()
    {
        var rng = new Random(1);
        foreach (var x in EveryDType(rng, 2, 3, 5))
        {
            Oracle.Same(gpu, "reshape", new Attrs { { "shape", new[] { 5, -1 } } }, x);
            Oracle.Same(gpu, "squeeze", new Attrs { { "dims", Array.Empty<int>() } }, x);
            Oracle.Same(gpu, "unsqueeze", new Attrs { { "dim", 1 } }, x);
            Oracle.Same(gpu, "transpose", new Attrs { { "dim0", 0 }, { "dim1", -1 } }, x);
            Oracle.Same(gpu, "permute", new Attrs { { "dims", new[] { 2, 0, 1 } } }, x);
            Oracle.Same(gpu, "slice", new Attrs { { "dim", 2 }, { "start", 1 }, { "end", 100 }, { "step", 2 } }, x);
            Oracle.Same(gpu, "slice", new Attrs { { "dim", 1 }, { "start", -2 }, { "end", 3 }, { "step", 1 } }, x);
            Oracle.Same(gpu, "narrow", new Attrs { { "dim", 2 }, { "length", 3 } }, x, 2L);
            Oracle.Same(gpu, "narrow", new Attrs { { "dim", 1 }, { "length", 2 } }, x, -2L);
        }
        foreach (var x in EveryDType(rng, 3, 1))
            Oracle.Same(gpu, "expand", new Attrs { { "shape", new[] { 2, 3, 4 } } }, x);
    }

    [Fact]
    public void NarrowOutOfRangeFailsLikeEager()
    {
        var x = Tensor.Zeros(2, 5);
        var error = Assert.Throws<TensorOpException>(() => gpu.Run("narrow", new Attrs { { "dim", 1 }, { "length", 3 } }, x, 4L));
        Assert.Contains("does not fit", error.Message);
    }

    [Fact]
    public void ConcatAndSplitMatchEager()
    {
        var rng = new Random(2);
        foreach (var dim in new[] { 0, 1, -1 })
        {
            var shapes = new[] { new[] { 2, 3, 4 }, new[] { 2, 3, 4 } };
            var axis = dim < 0 ? dim + 3 : dim;
            shapes[1][axis] = 5;
            Oracle.Same(gpu, "concat", new Attrs { { "dim", dim } }, Oracle.Floats(rng, shapes[0]), Oracle.Floats(rng, shapes[1]), Oracle.Floats(rng, shapes[0]));
            Oracle.Same(gpu, "concat", new Attrs { { "dim", dim } }, Oracle.Longs(rng, 9, shapes[0]), Oracle.Longs(rng, 9, shapes[1]));
        }
        foreach (var x in EveryDType(rng, 4, 7))
        {
            Oracle.Same(gpu, "split", new Attrs { { "sizes", new[] { 2, 0, 5 } }, { "dim", 1 } }, x);
            Oracle.Same(gpu, "split", new Attrs { { "sizes", new[] { 1, 3 } }, { "dim", 0 } }, x);
        }
    }

    [Fact]
    public void IndexingMatchesEager()
    {
        var rng = new Random(3);
        var x = Oracle.Floats(rng, 4, 6);
        foreach (var index in new[] { Oracle.Longs(rng, 4, 3, 6), Oracle.Ints(rng, 4, 3, 6) })
            Oracle.Same(gpu, "gather", new Attrs { { "dim", 0 } }, x, index);
        Oracle.Same(gpu, "gather", new Attrs { { "dim", 1 } }, x, Oracle.Longs(rng, 6, 4, 2));
        foreach (var y in EveryDType(rng, 5, 3, 2))
        {
            Oracle.Same(gpu, "index_select", new Attrs { { "dim", 0 } }, y, Oracle.Longs(rng, 5, 7));
            Oracle.Same(gpu, "index_select", new Attrs { { "dim", 1 } }, y, Oracle.Ints(rng, 3, 2));
        }
        var table = Oracle.Floats(rng, 10, 8);
        Oracle.Same(gpu, "embedding", [], Oracle.Longs(rng, 10, 2, 5), table);
        Oracle.Same(gpu, "embedding", [], Oracle.Ints(rng, 10, 3), table);
    }

    [Theory]
    [InlineData(new[] { 3, 10 }, 4, -1, true)]
    [InlineData(new[] { 3, 10 }, 10, 1, false)]
    [InlineData(new[] { 5, 4, 3 }, 2, 1, true)]
    [InlineData(new[] { 8 }, 1, 0, false)]
    [InlineData(new[] { 2, 300 }, 5, 1, true)]
    public void TopKMatchesEager(int[] shape, int k, int dim, bool largest)
    {
        var rng = new Random(shape.Sum() + k);
        var attrs = new Attrs { { "k", k }, { "dim", dim }, { "largest", largest } };
        foreach (var x in new[] { Oracle.Floats(rng, shape), Oracle.Ints(rng, 5, shape), Oracle.Longs(rng, 4, shape) })
            Oracle.Same(gpu, "topk", attrs, x);
        var withNaN = Oracle.Floats(rng, shape);
        withNaN.Floats[0] = float.NaN;
        Oracle.Same(gpu, "topk", attrs, withNaN);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 9, 9 }, 3, 2, 1)]
    [InlineData(new[] { 1, 2, 8, 7 }, 2, 2, 0)]
    [InlineData(new[] { 3, 6, 5 }, 3, 1, 1)]
    public void PoolingMatchesEager(int[] shape, int kernel, int stride, int padding)
    {
        var rng = new Random(shape.Sum() + kernel);
        var x = Oracle.Floats(rng, shape);
        var attrs = new Attrs { { "kernelSize", new[] { kernel } }, { "stride", new[] { stride } }, { "padding", new[] { padding } } };
        Oracle.Same(gpu, "max_pool2d", attrs, x);
        Oracle.Same(gpu, "avg_pool2d", attrs, x);
        foreach (var output in new[] { new[] { 1 }, new[] { 3, 2 }, new[] { 4 } })
        {
            Oracle.Same(gpu, "adaptive_avg_pool2d", new Attrs { { "outputSize", output } }, x);
            Oracle.Same(gpu, "adaptive_max_pool2d", new Attrs { { "outputSize", output } }, x);
        }
    }

    [Fact]
    public void CastMatchesEagerBetweenEveryDType()
    {
        var rng = new Random(4);
        var floats = Tensor.FromArray([1.5f, -2.7f, 0f, -0f, float.NaN, 3e9f, -3e9f, 1e20f, 0.4f, 7f], 10);
        var sources = new[] { floats, Oracle.Ints(rng, 1000, 10), Tensor.FromArray([.. Enumerable.Range(0, 10).Select(i => (long)i * 1_000_000_007L - 3)], 10), Oracle.Bools(rng, 10) };
        foreach (var x in sources)
            foreach (var to in new[] { DType.Float32, DType.Int32, DType.Int64, DType.Bool })
                Oracle.Same(gpu, "cast", new Attrs { { "dtype", to } }, x);
    }
}
