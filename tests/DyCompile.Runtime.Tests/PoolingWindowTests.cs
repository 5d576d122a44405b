using FsCheck;
using FsCheck.Xunit;

namespace DyCompile.Runtime.Tests;

/// <summary>Pooling (row-reduce-then-columns) against a direct per-window loop over random
/// geometries, the <c>Into</c> forms against the allocating ones, and NaN propagation.</summary>
public class PoolingWindowTests
{
    /// <summary>A random geometry from a seed: kernel 1–4, stride 1–3, input at least the
    /// kernel and up to 30, padding up to half the kernel.</summary>
    [Property(MaxTest = 80)]
    public void SlidingPoolsMatchDirectWindows(NonNegativeInt seedValue)
    {
        var seed = seedValue.Get;
        var random = new Random(seed);
        int kh = random.Next(1, 5), kw = random.Next(1, 5), sh = random.Next(1, 4), sw = random.Next(1, 4);
        int h = Math.Max(random.Next(1, 31), kh), w = Math.Max(random.Next(1, 31), kw);
        int ph = seed % (kh / 2 + 1), pw = seed / 7 % (kw / 2 + 1);
        var x = DenseReference.RandomTensor(seed, 2, 3, h, w);
        foreach (var average in new[] { false, true })
        {
            var y = average ? TensorOps.AvgPool2d(x, [kh, kw], [sh, sw], [ph, pw]) : TensorOps.MaxPool2d(x, [kh, kw], [sh, sw], [ph, pw]);
            var (oh, ow) = (y.Dim(2), y.Dim(3));
            Assert.Equal((h + 2 * ph - kh) / sh + 1, oh);
            Assert.Equal((w + 2 * pw - kw) / sw + 1, ow);
            for (var p = 0; p < 6; p++)
                for (var oy = 0; oy < oh; oy++)
                    for (var ox = 0; ox < ow; ox++)
                    {
                        double sum = 0, best = double.NegativeInfinity;
                        for (var dy = 0; dy < kh; dy++)
                            for (var dx = 0; dx < kw; dx++)
                            {
                                int iy = oy * sh - ph + dy, ix = ox * sw - pw + dx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                var v = x.Floats[p * h * w + iy * w + ix];
                                sum += v;
                                best = Math.Max(best, v);
                            }
                        var expected = average ? sum / (kh * kw) : best;
                        Assert.Equal(expected, y.Floats[(p * oh + oy) * ow + ox], 1e-5);
                    }

            var into = Tensor.Full(float.NaN, y.ShapeArray());
            if (average) TensorOps.AvgPool2dInto(x, [kh, kw], [sh, sw], [ph, pw], into);
            else TensorOps.MaxPool2dInto(x, [kh, kw], [sh, sw], [ph, pw], into);
            Assert.Equal(y.ToFloatArray(), into.ToFloatArray());
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(32, 32, 1, 1)]
    [InlineData(7, 9, 3, 4)]
    [InlineData(5, 5, 7, 6)]
    public void AdaptivePoolsMatchDirectWindowsAndIntoForms(int h, int w, int oh, int ow)
    {
        var x = DenseReference.RandomTensor(h * 31 + w, 1, 4, h, w);
        var avg = TensorOps.AdaptiveAvgPool2d(x, [oh, ow]);
        var max = TensorOps.AdaptiveMaxPool2d(x, [oh, ow]);
        for (var p = 0; p < 4; p++)
            for (var oy = 0; oy < oh; oy++)
                for (var ox = 0; ox < ow; ox++)
                {
                    int y0 = oy * h / oh, y1 = ((oy + 1) * h + oh - 1) / oh, x0 = ox * w / ow, x1 = ((ox + 1) * w + ow - 1) / ow;
                    double sum = 0, best = double.NegativeInfinity;
                    for (var iy = y0; iy < y1; iy++)
                        for (var ix = x0; ix < x1; ix++)
                        {
                            var v = x.Floats[p * h * w + iy * w + ix];
                            sum += v;
                            best = Math.Max(best, v);
                        }
                    Assert.Equal(sum / ((y1 - y0) * (x1 - x0)), avg.Floats[(p * oh + oy) * ow + ox], 1e-5);
                    Assert.Equal(best, max.Floats[(p * oh + oy) * ow + ox]);
                }
        var avgInto = Tensor.Zeros(avg.ShapeArray());
        TensorOps.AdaptiveAvgPool2dInto(x, [oh, ow], avgInto);
        Assert.Equal(avg.ToFloatArray(), avgInto.ToFloatArray());
        var maxInto = Tensor.Zeros(max.ShapeArray());
        TensorOps.AdaptiveMaxPool2dInto(x, [oh, ow], maxInto);
        Assert.Equal(max.ToFloatArray(), maxInto.ToFloatArray());
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(20, 20)]
    public void MaxPoolPropagatesNaNFromAnyRowOfTheWindow(int kernel, int stride)
    {
        var x = DenseReference.RandomTensor(5, 1, 1, 40, 40);
        x.Floats[1 * 40 + 1] = float.NaN;
        var y = TensorOps.MaxPool2d(x, [kernel], [stride], []);
        Assert.True(float.IsNaN(y.Floats[0]));
        Assert.False(float.IsNaN(y.Floats[^1]));
    }

    [Fact]
    public void IntoRejectsAWrongDestination()
    {
        var error = Assert.Throws<TensorOpException>(() => TensorOps.MaxPool2dInto(Tensor.Zeros(1, 2, 8, 8), [2], [], [], Tensor.Zeros(1, 2, 3, 4)));
        Assert.Equal("max_pool2d", error.Op);
        Assert.Contains("[1, 2, 4, 4]", error.Message);
    }
}
