using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static DyCompile.Runtime.Tests.KernelReference;

namespace DyCompile.Runtime.Tests;

public class SoftmaxTests
{
    /// <summary>softmax along an axis in double, straight from the definition (with the max
    /// shift, which does not change the value).</summary>
    private static double[] Reference(float[] x, int[] shape, int axis, bool log)
    {
        var outer = shape[..axis].Aggregate(1, (a, b) => a * b);
        var inner = shape[(axis + 1)..].Aggregate(1, (a, b) => a * b);
        var n = shape[axis];
        var result = new double[x.Length];
        for (var o = 0; o < outer; o++)
            for (var j = 0; j < inner; j++)
            {
                int At(int k) => (o * n + k) * inner + j;
                var max = Enumerable.Range(0, n).Max(k => (double)x[At(k)]);
                var total = Enumerable.Range(0, n).Sum(k => Math.Exp(x[At(k)] - max));
                for (var k = 0; k < n; k++)
                    result[At(k)] = log ? x[At(k)] - max - Math.Log(total) : Math.Exp(x[At(k)] - max) / total;
            }
        return result;
    }

    [Fact]
    public void SoftmaxOfASmallVectorByHand()
    {
        var y = TensorOps.Softmax(Tensor.FromArray([0f, MathF.Log(3f)], 2), 0).Floats.ToArray();
        Assert.Equal(0.25f, y[0], 6);
        Assert.Equal(0.75f, y[1], 6);
        var uniform = TensorOps.Softmax(Tensor.Full(7f, 4), -1).Floats.ToArray();
        Assert.All(uniform, v => Assert.Equal(0.25f, v));
        var log = TensorOps.LogSoftmax(Tensor.FromArray([0f, MathF.Log(3f)], 2), 0).Floats.ToArray();
        Assert.Equal(MathF.Log(0.25f), log[0], 6);
        Assert.Equal(MathF.Log(0.75f), log[1], 6);
    }

    [Theory]
    [InlineData(new[] { 4, 7 }, 1)]
    [InlineData(new[] { 4, 7 }, 0)]
    [InlineData(new[] { 3, 5, 6 }, 1)]
    [InlineData(new[] { 3, 5, 6 }, -1)]
    [InlineData(new[] { 3, 5, 6 }, -3)]
    [InlineData(new[] { 2, 1000 }, 1)]
    [InlineData(new[] { 600, 3 }, 0)]
    [InlineData(new[] { 1, 5 }, 0)]
    public void SoftmaxAndLogSoftmaxMatchTheDefinition(int[] shape, int dim)
    {
        var x = Random(Count(shape), 21, 8f);
        var axis = dim < 0 ? dim + shape.Length : dim;
        var t = Tensor.FromArray(x, shape);
        var softmax = TensorOps.Softmax(t, dim);
        Assert.Equal(shape, softmax.ShapeArray());
        AllClose(Reference(x, shape, axis, log: false).Select(v => (float)v).ToArray(), softmax, relative: 2e-6, absolute: 1e-9);
        AllClose(Reference(x, shape, axis, log: true).Select(v => (float)v).ToArray(), TensorOps.LogSoftmax(t, dim), relative: 2e-6, absolute: 2e-6);
    }

    [Fact]
    public void LargeLogitsDoNotOverflow()
    {
        var x = Tensor.FromArray([1000f, 1001f, 1002f, -1000f], 4);
        var y = TensorOps.Softmax(x, 0).Floats.ToArray();
        var expected = Reference(x.Floats.ToArray(), [4], 0, log: false);
        for (var i = 0; i < 4; i++) Close((float)expected[i], y[i], 1e-6, 1e-12);
        var log = TensorOps.LogSoftmax(x, 0).Floats.ToArray();
        Close(-2.4076059f, log[0], 1e-6);
        Close(-2002.4076f, log[3], 1e-6);
        // The same along a strided dim.
        var column = TensorOps.Softmax(Tensor.FromArray([1000f, -5f, 1001f, 5f], 2, 2), 0).Floats.ToArray();
        Assert.All(column, v => Assert.False(float.IsNaN(v)));
        Close(0.26894142f, column[0], 1e-6);
        Close(0.7310586f, column[2], 1e-6);
    }

    [Fact]
    public void InfinitiesAndNaNBehaveLikePyTorch()
    {
        // -inf logits get probability 0; a NaN poisons its slice.
        var y = TensorOps.Softmax(Tensor.FromArray([float.NegativeInfinity, 0f, 0f, float.NaN, 1f, 2f], 2, 3), 1).Floats.ToArray();
        Assert.Equal(new[] { 0f, 0.5f, 0.5f }, y[..3]);
        Assert.All(y[3..], v => Assert.True(float.IsNaN(v)));
        var log = TensorOps.LogSoftmax(Tensor.FromArray([float.NegativeInfinity, 0f], 2), 0).Floats.ToArray();
        Assert.Equal(float.NegativeInfinity, log[0]);
        Assert.Equal(0f, log[1]);
    }

    [Fact]
    public void EmptyScalarAndErrorCases()
    {
        Assert.Equal(new[] { 0, 3 }, TensorOps.Softmax(Tensor.Zeros(0, 3), 1).ShapeArray());
        Assert.Equal(new[] { 3, 0 }, TensorOps.LogSoftmax(Tensor.Zeros(3, 0), 1).ShapeArray());
        Assert.Equal(1f, TensorOps.Softmax(Tensor.Scalar(3f), 0).Item());
        Assert.Equal(0f, TensorOps.LogSoftmax(Tensor.Scalar(3f), -1).Item());
        var e = Assert.Throws<TensorOpException>(() => TensorOps.Softmax(Tensor.Zeros(2, 3), 2));
        Assert.Equal("softmax", e.Op);
        e = Assert.Throws<TensorOpException>(() => TensorOps.LogSoftmax(Tensor.Zeros(DType.Int32, 2), 0));
        Assert.Equal("log_softmax", e.Op);
        Assert.Contains("i32", e.Message);
    }

    [Fact]
    public void IntoVariantsWorkInPlace()
    {
        var x = Random(24, 4);
        var t = Tensor.FromArray((float[])x.Clone(), 2, 3, 4);
        TensorOps.SoftmaxInto(t, 1, t);
        AllClose(Reference(x, [2, 3, 4], 1, log: false).Select(v => (float)v).ToArray(), t, relative: 2e-6, absolute: 1e-9);
        t = Tensor.FromArray((float[])x.Clone(), 2, 3, 4);
        TensorOps.LogSoftmaxInto(t, -1, t);
        AllClose(Reference(x, [2, 3, 4], 2, log: true).Select(v => (float)v).ToArray(), t, relative: 2e-6, absolute: 2e-6);
        Assert.Throws<TensorOpException>(() => TensorOps.SoftmaxInto(t, 0, Tensor.Zeros(24)));
    }

    [Fact]
    public void SugarForwardsToTheKernels()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        Assert.Equal(TensorOps.Softmax(x, 1).Floats.ToArray(), x.Softmax(1).Floats.ToArray());
        Assert.Equal(TensorOps.LogSoftmax(x, 0).Floats.ToArray(), x.LogSoftmax(0).Floats.ToArray());
    }

    private static Arbitrary<(int[] Shape, int Dim, int Seed)> SoftmaxCases()
    {
        var gen =
            from rank in Gen.Choose(1, 4)
            from shape in Gen.ArrayOf(Gen.Choose(1, 6), rank)
            from dim in Gen.Choose(-rank, rank - 1)
            from seed in Gen.Choose(0, 1000)
            select (shape, dim, seed);
        return Arb.From(gen);
    }

    [Property(MaxTest = 150)]
    public Property SoftmaxSlicesSumToOneAndAgreeWithExpOfLogSoftmax() =>
        Prop.ForAll(SoftmaxCases(), c =>
        {
            var x = Random(Count(c.Shape), c.Seed, 20f);
            var t = Tensor.FromArray(x, c.Shape);
            var softmax = TensorOps.Softmax(t, c.Dim);
            var sums = TensorOps.Sum(softmax, [c.Dim], false).Floats.ToArray();
            var fromLog = TensorOps.Exp(TensorOps.LogSoftmax(t, c.Dim)).Floats.ToArray();
            return sums.All(s => Math.Abs(s - 1f) < 1e-5f)
                && softmax.Floats.ToArray().All(v => v >= 0f && v <= 1f)
                && softmax.Floats.ToArray().Zip(fromLog).All(p => Math.Abs(p.First - p.Second) <= 1e-5f * (1 + p.First));
        });
}
