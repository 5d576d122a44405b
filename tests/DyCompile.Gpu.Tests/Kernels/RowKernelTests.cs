using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests.Kernels;

/// <summary>The group-per-row kernels (reductions, softmax, norms, arg reductions) against the
/// eager kernels: rows shorter than a warp, longer than a group, strided dims, every dtype.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class RowKernelTests(CpuAcceleratorFixture gpu)
{
    public static TheoryData<int[], int[], bool> ReductionCases => new()
    {
        { [3, 5], [1], false },
        { [3, 5], [0], true },
        { [4, 3, 7], [0, 2], false },
        { [2, 300], [-1], true },
        { [6, 1000], [], false },
        { [5], [0], false },
        { [2, 3, 4, 5], [1, 3], true },
    };

    [Theory]
    [MemberData(nameof(ReductionCases))]
    public void FloatReductionsMatchEager(int[] shape, int[] dims, bool keepdim)
    {
        var rng = new Random(shape.Sum() + dims.Sum());
        var x = Oracle.Floats(rng, shape);
        foreach (var op in new[] { "sum", "mean", "max", "min" })
            Oracle.Same(gpu, op, new Attrs { { "dims", dims }, { "keepdim", keepdim } }, x);
    }

    [Theory]
    [MemberData(nameof(ReductionCases))]
    public void IntegerReductionsMatchEager(int[] shape, int[] dims, bool keepdim)
    {
        var rng = new Random(shape.Sum() * 7 + dims.Sum());
        var attrs = new Attrs { { "dims", dims }, { "keepdim", keepdim } };
        foreach (var x in new[] { Oracle.Ints(rng, 1000, shape), Oracle.Longs(rng, 1 << 30, shape) })
            foreach (var op in new[] { "sum", "max", "min" })
                Oracle.Same(gpu, op, attrs, x);
        Oracle.Same(gpu, "sum", attrs, Oracle.Bools(rng, shape));
    }

    [Fact]
    public void MaxPropagatesNaN()
    {
        var x = Tensor.FromArray([1f, float.NaN, 3f, 2f, 5f, 4f], 2, 3);
        foreach (var op in new[] { "max", "min", "sum" })
            Oracle.Same(gpu, op, new Attrs { { "dims", new[] { 1 } }, { "keepdim", false } }, x);
    }

    [Theory]
    [InlineData(new[] { 4, 9 }, -1)]
    [InlineData(new[] { 3, 17, 5 }, 1)]
    [InlineData(new[] { 2, 600 }, 1)]
    [InlineData(new[] { 7 }, 0)]
    [InlineData(new[] { 5, 3 }, 0)]
    public void SoftmaxAndLogSoftmaxMatchEager(int[] shape, int dim)
    {
        var rng = new Random(shape.Sum() + dim);
        var x = Oracle.Floats(rng, shape);
        Oracle.Same(gpu, "softmax", new Attrs { { "dim", dim } }, x);
        Oracle.Same(gpu, "log_softmax", new Attrs { { "dim", dim } }, x);
    }

    [Theory]
    [InlineData(new[] { 4, 10 }, new[] { 10 })]
    [InlineData(new[] { 2, 3, 300 }, new[] { 300 })]
    [InlineData(new[] { 2, 5, 6 }, new[] { 5, 6 })]
    [InlineData(new[] { 3, 1 }, new[] { 1 })]
    public void LayerNormMatchesEager(int[] shape, int[] normalized)
    {
        var rng = new Random(shape.Sum());
        Oracle.Same(gpu, "layer_norm", new Attrs { { "eps", 1e-5f } }, Oracle.Floats(rng, shape), Oracle.Floats(rng, normalized), Oracle.Floats(rng, normalized));
    }

    [Theory]
    [InlineData(new[] { 2, 3, 5, 4 })]
    [InlineData(new[] { 4, 6 })]
    [InlineData(new[] { 1, 7, 3 })]
    public void BatchNormMatchesEager(int[] shape)
    {
        var rng = new Random(shape.Sum() + 3);
        var c = shape[1];
        var variance = Tensor.FromArray([.. Enumerable.Range(0, c).Select(_ => (float)rng.NextDouble() + 0.1f)], c);
        Oracle.Same(gpu, "batch_norm", new Attrs { { "eps", 1e-5f } }, Oracle.Floats(rng, shape), Oracle.Floats(rng, c), variance, Oracle.Floats(rng, c), Oracle.Floats(rng, c));
    }

    [Theory]
    [InlineData(new[] { 4, 9 }, 1, false)]
    [InlineData(new[] { 3, 17, 5 }, 1, true)]
    [InlineData(new[] { 2, 700 }, -1, false)]
    [InlineData(new[] { 6 }, 0, true)]
    [InlineData(new[] { 5, 3 }, 0, false)]
    public void ArgReductionsMatchEager(int[] shape, int dim, bool keepdim)
    {
        var rng = new Random(shape.Sum() * 3 + dim);
        var attrs = new Attrs { { "dim", dim }, { "keepdim", keepdim } };
        // Few distinct values, so ties (first index wins) are common.
        foreach (var x in new[] { Oracle.Floats(rng, shape), Oracle.Ints(rng, 4, shape), Oracle.Longs(rng, 3, shape) })
        {
            Oracle.Same(gpu, "argmax", attrs, x);
            Oracle.Same(gpu, "argmin", attrs, x);
        }
    }

    [Fact]
    public void ArgMaxPicksTheFirstNaN()
    {
        var x = Tensor.FromArray([1f, float.NaN, 7f, float.NaN, 2f, 2f, 9f, 9f], 2, 4);
        Oracle.Same(gpu, "argmax", new Attrs { { "dim", 1 }, { "keepdim", false } }, x);
        Oracle.Same(gpu, "argmin", new Attrs { { "dim", 1 }, { "keepdim", false } }, x);
    }
}
