using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DyCompile.Runtime.Tests;

public class ConvTests
{
    [Fact]
    public void HandComputedSingleChannel()
    {
        // 3×3 input, 2×2 kernel of ones: each output is the sum of a 2×2 window, plus bias 1.
        var input = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 1, 1, 3, 3);
        var weight = Tensor.Full(1f, 1, 1, 2, 2);
        var y = TensorOps.Conv2d(input, weight, Tensor.FromArray(new float[] { 1 }, 1), [1], [0], [1], 1);
        Assert.Equal(new[] { 1, 1, 2, 2 }, y.ShapeArray());
        Assert.Equal(new float[] { 13, 17, 25, 29 }, y.ToFloatArray());

        // Padding 1, stride 2: corners see only the 1×1, 1×2 ... parts inside the image.
        var padded = TensorOps.Conv2d(input, weight, Tensor.Zeros(1), [2], [1], [1], 1);
        Assert.Equal(new[] { 1, 1, 2, 2 }, padded.ShapeArray());
        Assert.Equal(new float[] { 1, 5, 11, 28 }, padded.ToFloatArray());
    }

    public static TheoryData<int[], int[], int[], int[], int[], int> Cases() => new()
    {
        // input shape, weight shape, stride, padding, dilation, groups
        { [2, 3, 7, 9], [5, 3, 3, 3], [1], [1], [1], 1 },
        { [1, 4, 11, 8], [6, 4, 3, 2], [2, 3], [1, 0], [1], 1 },
        { [1, 3, 13, 13], [4, 3, 3, 3], [1], [2], [2], 1 },
        { [2, 6, 9, 7], [4, 3, 3, 3], [2], [1, 2], [1, 2], 2 },
        { [1, 8, 10, 10], [8, 2, 3, 3], [1], [1], [1], 4 },
        { [2, 5, 9, 9], [5, 1, 3, 3], [1], [1], [1], 5 },       // depthwise
        { [1, 4, 12, 11], [8, 1, 5, 3], [2, 1], [2, 1], [1, 2], 4 }, // depthwise, multiplier 2
        { [1, 4, 12, 11], [4, 1, 3, 3], [2], [0], [1], 4 },     // depthwise, strided
        { [1, 16, 6, 5], [20, 16, 1, 1], [1], [0], [1], 1 },    // pointwise (no im2col)
        { [1, 64, 17, 17], [65, 64, 3, 3], [1], [1], [1], 1 },  // large enough to split across cores
        { [6, 16, 9, 9], [24, 8, 3, 3], [1], [1], [1], 2 },
        { [1, 2, 70, 70], [7, 2, 3, 3], [1], [1], [1], 1 },      // more pixels than one GEMM column block     // many small products, one per core
        { [5, 32, 8, 8], [16, 32, 1, 1], [1], [0], [1], 1 },    // batched pointwise, one per core
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesDirectConvolution(int[] inputShape, int[] weightShape, int[] stride, int[] padding, int[] dilation, int groups)
    {
        var input = DenseReference.RandomTensor(1, inputShape);
        var weight = DenseReference.RandomTensor(2, weightShape);
        var bias = DenseReference.RandomTensor(3, weightShape[0]);
        var y = TensorOps.Conv2d(input, weight, bias, stride, padding, dilation, groups);
        static (int, int) P(int[] v) => v.Length == 1 ? (v[0], v[0]) : (v[0], v[1]);
        var expected = DenseReference.Conv2d(input, weight, bias.Floats.ToArray(), P(stride), P(padding), P(dilation), groups);
        Assert.Equal(expected.Length, y.Length);
        Assert.Equal(weightShape[0], y.Dim(1));
        DenseReference.AssertClose(expected, y.Floats);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IntoADestinationOverwritesItWithTheDirectConvolution(int[] inputShape, int[] weightShape, int[] stride, int[] padding, int[] dilation, int groups)
    {
        var input = DenseReference.RandomTensor(4, inputShape);
        var weight = DenseReference.RandomTensor(5, weightShape);
        var bias = DenseReference.RandomTensor(6, weightShape[0]);
        var shape = TensorOps.Conv2d(input, weight, bias, stride, padding, dilation, groups).ShapeArray();
        // A reused buffer holds the previous call's values: every element must be overwritten.
        var destination = Tensor.Full(123f, shape);
        TensorOps.Conv2dInto(input, weight, bias, stride, padding, dilation, groups, destination);
        static (int, int) P(int[] v) => v.Length == 1 ? (v[0], v[0]) : (v[0], v[1]);
        DenseReference.AssertClose(DenseReference.Conv2d(input, weight, bias.Floats.ToArray(), P(stride), P(padding), P(dilation), groups), destination.Floats);
    }

    [Fact]
    public void IntoADestinationOfAnotherShapeThrows()
    {
        var input = DenseReference.RandomTensor(1, 1, 3, 5, 5);
        var weight = DenseReference.RandomTensor(2, 4, 3, 3, 3);
        var ex = Assert.Throws<TensorOpException>(() => TensorOps.Conv2dInto(input, weight, Tensor.Zeros(4), [1], [0], [1], 1, Tensor.Zeros(1, 4, 5, 5)));
        Assert.Contains("destination", ex.Message);
    }

    [Fact]
    public void EmptyAttributesMeanUnitStrideNoPaddingNoDilation()
    {
        var input = DenseReference.RandomTensor(4, 1, 2, 5, 5);
        var weight = DenseReference.RandomTensor(5, 3, 2, 3, 3);
        var bias = Tensor.Zeros(3);
        var y = TensorOps.Conv2d(input, weight, bias, [], [], [], 1);
        Assert.Equal(new[] { 1, 3, 3, 3 }, y.ShapeArray());
        DenseReference.AssertClose(DenseReference.Conv2d(input, weight, new float[3], (1, 1), (0, 0), (1, 1), 1), y.Floats);
    }

    [Fact]
    public void EmptyBatchGivesEmptyResult()
    {
        var y = TensorOps.Conv2d(Tensor.Zeros(0, 2, 5, 5), Tensor.Zeros(3, 2, 3, 3), Tensor.Zeros(3), [1], [0], [1], 1);
        Assert.Equal(new[] { 0, 3, 3, 3 }, y.ShapeArray());
    }

    [Fact]
    public void ErrorsNameTheOpAndShapes()
    {
        var channels = Assert.Throws<TensorOpException>(() =>
            TensorOps.Conv2d(Tensor.Zeros(1, 3, 5, 5), Tensor.Zeros(4, 2, 3, 3), Tensor.Zeros(4), [1], [0], [1], 1));
        Assert.Equal("conv2d", channels.Op);
        Assert.Contains("[1, 3, 5, 5]", channels.Message);
        Assert.Contains("[4, 2, 3, 3]", channels.Message);

        var tooLarge = Assert.Throws<TensorOpException>(() =>
            TensorOps.Conv2d(Tensor.Zeros(1, 1, 2, 2), Tensor.Zeros(1, 1, 3, 3), Tensor.Zeros(1), [1], [0], [1], 1));
        Assert.Contains("[1, 1, 2, 2]", tooLarge.Message);

        Assert.Throws<TensorOpException>(() =>
            TensorOps.Conv2d(Tensor.Zeros(1, 4, 5, 5), Tensor.Zeros(4, 2, 3, 3), Tensor.Zeros(4), [1], [0], [1], 3));
        Assert.Throws<TensorOpException>(() =>
            TensorOps.Conv2d(Tensor.Zeros(1, 4, 5), Tensor.Zeros(4, 4, 3, 3), Tensor.Zeros(4), [1], [0], [1], 1));
    }

    [Property(MaxTest = 40)]
    public Property RandomSmallConvolutionsMatchDirectConvolution() =>
        Prop.ForAll(
            Gen.Choose(1, 3).Four().ToArbitrary(),   // groups, channels per group, out per group, kernel
            Gen.Choose(0, 5).Four().ToArbitrary(),   // extra height, extra width, stride-1 | pad, dilation-1
            (shape, geometry) =>
            {
                var (groups, perGroup, outPerGroup, kernel) = shape;
                var (extraH, extraW, stridePad, dil) = geometry;
                var stride = stridePad % 2 + 1;
                var pad = stridePad / 2 % 2;
                var dilation = dil % 2 + 1;
                var span = dilation * (kernel - 1) + 1;
                var input = DenseReference.RandomTensor(extraH * 7 + extraW, 1, groups * perGroup, span + extraH, span + extraW);
                var weight = DenseReference.RandomTensor(kernel, groups * outPerGroup, perGroup, kernel, kernel);
                var bias = DenseReference.RandomTensor(5, groups * outPerGroup);
                var y = TensorOps.Conv2d(input, weight, bias, [stride], [pad], [dilation], groups);
                var expected = DenseReference.Conv2d(input, weight, bias.Floats.ToArray(), (stride, stride), (pad, pad), (dilation, dilation), groups);
                return DenseReference.CloseRelative(expected, y.Floats, 1e-4f);
            });
}
