using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests.Kernels;

/// <summary>matmul, linear and conv2d on the tiled GEMM kernel against the eager kernels, with
/// sizes that leave partial 64 × 64 blocks and partial 16-wide K steps.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class DenseKernelTests(CpuAcceleratorFixture gpu)
{
    public static TheoryData<int[], int[]> MatMulShapes => new()
    {
        { [5, 7], [7, 3] },
        { [70, 33], [33, 65] },
        { [1, 1], [1, 1] },
        { [17], [17, 9] },
        { [9, 17], [17] },
        { [13], [13] },
        { [3, 6, 20], [20, 5] },
        { [2, 1, 4, 19], [3, 19, 6] },
        { [4, 19], [2, 3, 19, 6] },
        { [2, 3, 8, 5], [2, 3, 5, 66] },
    };

    [Theory]
    [MemberData(nameof(MatMulShapes))]
    public void MatMulMatchesEager(int[] a, int[] b)
    {
        var rng = new Random(a.Sum() * 31 + b.Sum());
        Oracle.Same(gpu, "matmul", [], Oracle.Floats(rng, a), Oracle.Floats(rng, b));
    }

    [Theory]
    [InlineData(new[] { 4, 10 }, 7)]
    [InlineData(new[] { 2, 3, 65 }, 70)]
    [InlineData(new[] { 33 }, 1)]
    public void LinearMatchesEager(int[] x, int outFeatures)
    {
        var rng = new Random(x.Sum() + outFeatures);
        Oracle.Same(gpu, "linear", [], Oracle.Floats(rng, x), Oracle.Floats(rng, outFeatures, x[^1]), Oracle.Floats(rng, outFeatures));
    }

    [Theory]
    [InlineData(2, 3, 9, 9, 4, 3, 3, 1, 1, 1, 1)]
    [InlineData(1, 4, 11, 7, 6, 3, 3, 2, 1, 1, 2)]
    [InlineData(2, 6, 8, 8, 6, 3, 3, 1, 1, 2, 3)]
    [InlineData(1, 4, 10, 10, 4, 3, 3, 1, 2, 2, 4)]
    [InlineData(1, 3, 5, 6, 70, 1, 1, 1, 0, 1, 1)]
    [InlineData(3, 16, 12, 12, 20, 5, 3, 2, 2, 1, 1)]
    public void Conv2dMatchesEager(int n, int c, int h, int w, int outChannels, int kh, int kw, int stride, int padding, int dilation, int groups)
    {
        var rng = new Random(n * 1000 + c * 100 + h + outChannels + groups);
        var attrs = new Attrs { { "stride", new[] { stride } }, { "padding", new[] { padding, padding } }, { "dilation", new[] { dilation } }, { "groups", groups } };
        Oracle.Same(gpu, "conv2d", attrs, Oracle.Floats(rng, n, c, h, w), Oracle.Floats(rng, outChannels, c / groups, kh, kw), Oracle.Floats(rng, outChannels));
    }
}
