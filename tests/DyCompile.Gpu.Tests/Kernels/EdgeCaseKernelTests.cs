using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests.Kernels;

/// <summary>0-d tensors, empty dimensions and empty products on the device, as eagerly.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class EdgeCaseKernelTests(CpuAcceleratorFixture gpu)
{
    [Fact]
    public void ZeroDimensionalTensorsReduceAndNormalizeAsEagerly()
    {
        var x = Tensor.Scalar(2.5f);
        Oracle.Same(gpu, "sum", new Attrs { { "dims", Array.Empty<int>() }, { "keepdim", false } }, x);
        Oracle.Same(gpu, "max", new Attrs { { "dims", new[] { 0 } }, { "keepdim", true } }, x);
        Oracle.Same(gpu, "argmax", new Attrs { { "dim", 0 }, { "keepdim", false } }, x);
        Oracle.Same(gpu, "softmax", new Attrs { { "dim", 0 } }, x);
        Oracle.Same(gpu, "topk", new Attrs { { "k", 1 }, { "dim", 0 }, { "largest", true } }, x);
        Oracle.Same(gpu, "cast", new Attrs { { "dtype", DType.Int64 } }, x);
        Oracle.Same(gpu, "reshape", new Attrs { { "shape", new[] { 1, 1 } } }, x);
    }

    [Fact]
    public void EmptyReductionsGiveZeroSumsAndNaNMeans()
    {
        var x = Tensor.Zeros(3, 0);
        Oracle.Same(gpu, "sum", new Attrs { { "dims", new[] { 1 } }, { "keepdim", false } }, x);
        Oracle.Same(gpu, "mean", new Attrs { { "dims", new[] { 1 } }, { "keepdim", true } }, x);
        Oracle.Same(gpu, "sum", new Attrs { { "dims", new[] { 0 } }, { "keepdim", false } }, x);
    }

    [Fact]
    public void ProductsWithAnEmptyInnerDimensionAreZeroAndEmptyResultsLaunchNothing()
    {
        var rng = new Random(9);
        Oracle.Same(gpu, "matmul", [], Tensor.Zeros(3, 0), Tensor.Zeros(0, 4));
        Oracle.Same(gpu, "linear", [], Tensor.Zeros(5, 0), Tensor.Zeros(2, 0), Oracle.Floats(rng, 2));
        Oracle.Same(gpu, "matmul", [], Tensor.Zeros(0, 3), Oracle.Floats(rng, 3, 4));
        Oracle.Same(gpu, "transpose", new Attrs { { "dim0", 0 }, { "dim1", 1 } }, Tensor.Zeros(0, 3));
        Oracle.Same(gpu, "concat", new Attrs { { "dim", 0 } }, Tensor.Zeros(0, 3), Oracle.Floats(rng, 2, 3));
        Oracle.Same(gpu, "topk", new Attrs { { "k", 0 }, { "dim", 1 }, { "largest", true } }, Oracle.Floats(rng, 2, 3));
    }

    [Fact]
    public void RanksBeyondTheKernelLimitAreAClearError()
    {
        var x = Tensor.Zeros(1, 1, 1, 1, 1, 1, 1, 1, 2);
        var error = Assert.Throws<NotSupportedException>(() => gpu.Run("transpose", new Attrs { { "dim0", 0 }, { "dim1", 8 } }, x));
        Assert.Contains("rank up to 8", error.Message);
    }
}
