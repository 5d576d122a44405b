namespace DyCompile.Runtime.Tests;

public class NormTests
{
    [Fact]
    public void BatchNormHandComputed()
    {
        // Two channels, two pixels each; channel 1: mean 1, var 3, weight 2, bias 0.5, eps 1.
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 5 }, 1, 2, 2);
        var y = TensorOps.BatchNorm(x,
            Tensor.FromArray(new float[] { 0, 1 }, 2), Tensor.FromArray(new float[] { 0, 3 }, 2),
            Tensor.FromArray(new float[] { 1, 2 }, 2), Tensor.FromArray(new float[] { 0, 0.5f }, 2), 1f);
        Assert.Equal(new float[] { 1, 2, 1 * 2 / 2f * 2 + 0.5f, 4 * 2 / 2f + 0.5f }, y.ToFloatArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void BatchNormMatchesFormulaOnNchw()
    {
        var x = DenseReference.RandomTensor(1, 2, 3, 4, 5);
        var mean = DenseReference.RandomTensor(2, 3);
        var variance = Tensor.FromArray(new float[] { 0.5f, 1.5f, 2f }, 3);
        var weight = DenseReference.RandomTensor(3, 3);
        var bias = DenseReference.RandomTensor(4, 3);
        var y = TensorOps.BatchNorm(x, mean, variance, weight, bias, 1e-5f);
        var expected = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var c = i / 20 % 3;
            expected[i] = (float)((x.Floats[i] - mean.Floats[c]) / Math.Sqrt(variance.Floats[c] + 1e-5) * weight.Floats[c] + bias.Floats[c]);
        }
        DenseReference.AssertClose(expected, y.Floats, 1e-5f);
    }

    [Fact]
    public void BatchNormIntoWritesTheEagerResultInPlaceOrNotAndOnTheWorkers()
    {
        // [16, 64, 32, 32]: enough planes for the worker threads; [2, 3, 5]: one plane at a time.
        foreach (var shape in new[] { new[] { 16, 64, 32, 32 }, new[] { 2, 3, 5 } })
        {
            var channels = shape[1];
            var x = DenseReference.RandomTensor(5, shape);
            var mean = DenseReference.RandomTensor(6, channels);
            var variance = Tensor.FromArray(Enumerable.Range(0, channels).Select(c => 0.5f + c % 7).ToArray(), channels);
            var weight = DenseReference.RandomTensor(7, channels);
            var bias = DenseReference.RandomTensor(8, channels);
            var expected = TensorOps.BatchNorm(x, mean, variance, weight, bias, 1e-5f).ToFloatArray();
            var destination = Tensor.Full(123f, shape);
            TensorOps.BatchNormInto(x, mean, variance, weight, bias, 1e-5f, destination);
            Assert.Equal(expected, destination.ToFloatArray());
            var inPlace = Tensor.FromArray(x.ToFloatArray(), shape);
            TensorOps.BatchNormInto(inPlace, mean, variance, weight, bias, 1e-5f, inPlace);
            Assert.Equal(expected, inPlace.ToFloatArray());
        }
        Assert.Throws<TensorOpException>(() =>
            TensorOps.BatchNormInto(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3), 1e-5f, Tensor.Zeros(2, 3, 5)));
    }

    [Fact]
    public void BatchNormReluIntoIsTheReluOfTheBatchNormInPlaceOrNotAndOnTheWorkers()
    {
        foreach (var shape in new[] { new[] { 16, 64, 32, 32 }, new[] { 2, 3, 5 } })
        {
            var channels = shape[1];
            var x = DenseReference.RandomTensor(15, shape);
            x.Floats[1] = float.NaN;
            var mean = DenseReference.RandomTensor(16, channels);
            var variance = Tensor.FromArray(Enumerable.Range(0, channels).Select(c => 0.5f + c % 5).ToArray(), channels);
            var weight = DenseReference.RandomTensor(17, channels);
            var bias = DenseReference.RandomTensor(18, channels);
            var expected = TensorOps.Relu(TensorOps.BatchNorm(x, mean, variance, weight, bias, 1e-5f)).ToFloatArray();
            // Both sides of the clamp occur (and the NaN stays NaN).
            if (shape.Length == 4) Assert.True(expected.Contains(0f) && expected.Any(v => v > 0f) && float.IsNaN(expected[1]));
            var destination = Tensor.Full(-123f, shape);
            TensorOps.BatchNormReluInto(x, mean, variance, weight, bias, 1e-5f, destination);
            Assert.Equal(expected, destination.ToFloatArray());
            var inPlace = Tensor.FromArray(x.ToFloatArray(), shape);
            TensorOps.BatchNormReluInto(inPlace, mean, variance, weight, bias, 1e-5f, inPlace);
            Assert.Equal(expected, inPlace.ToFloatArray());
        }
        Assert.Throws<TensorOpException>(() =>
            TensorOps.BatchNormReluInto(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3), 1e-5f, Tensor.Zeros(2, 3, 5)));
    }

    [Fact]
    public void LayerNormHandComputed()
    {
        // Row [1, 3]: mean 2, biased variance 1 → [-1, 1] (eps 0), then weight and bias.
        var y = TensorOps.LayerNorm(Tensor.FromArray(new float[] { 1, 3, 10, 10 }, 2, 2),
            Tensor.FromArray(new float[] { 2, 3 }, 2), Tensor.FromArray(new float[] { 1, 1 }, 2), 0f);
        Assert.Equal(-1f, y.Floats[0], 1e-6f);
        Assert.Equal(4f, y.Floats[1], 1e-6f);
        // A constant row normalizes to 0 / √eps = 0 when eps > 0; with eps = 0 it is NaN as in PyTorch.
        Assert.True(float.IsNaN(y.Floats[2]));
    }

    [Fact]
    public void LayerNormOverTwoTrailingDimsMatchesFormula()
    {
        var x = DenseReference.RandomTensor(5, 3, 4, 6);
        var weight = DenseReference.RandomTensor(6, 4, 6);
        var bias = DenseReference.RandomTensor(7, 4, 6);
        var y = TensorOps.LayerNorm(x, weight, bias, 1e-5f);
        Assert.Equal(new[] { 3, 4, 6 }, y.ShapeArray());
        for (var r = 0; r < 3; r++)
        {
            var row = x.Floats.Slice(r * 24, 24).ToArray();
            var mean = row.Average(v => (double)v);
            var variance = row.Average(v => (v - mean) * (v - mean));
            for (var i = 0; i < 24; i++)
            {
                var expected = (row[i] - mean) / Math.Sqrt(variance + 1e-5) * weight.Floats[i] + bias.Floats[i];
                Assert.Equal(expected, y.Floats[r * 24 + i], 1e-5);
            }
        }
    }

    [Fact]
    public void LayerNormIsAccurateWithALargeMean()
    {
        var x = Tensor.FromArray(new float[] { 10000, 10001, 10002, 10003 }, 4);
        var y = TensorOps.LayerNorm(x, Tensor.Full(1f, 4), Tensor.Zeros(4), 0f);
        var s = Math.Sqrt(1.25);
        DenseReference.AssertClose(new[] { (float)(-1.5 / s), (float)(-0.5 / s), (float)(0.5 / s), (float)(1.5 / s) }, y.Floats, 1e-5f);
    }

    [Fact]
    public void ErrorsNameTheOpAndShapes()
    {
        var ln = Assert.Throws<TensorOpException>(() => TensorOps.LayerNorm(Tensor.Zeros(2, 5), Tensor.Zeros(4), Tensor.Zeros(4), 1e-5f));
        Assert.Equal("layer_norm", ln.Op);
        Assert.Contains("[2, 5]", ln.Message);
        Assert.Contains("[4]", ln.Message);
        var bn = Assert.Throws<TensorOpException>(() =>
            TensorOps.BatchNorm(Tensor.Zeros(2, 3, 4), Tensor.Zeros(2), Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3), 1e-5f));
        Assert.Equal("batch_norm", bn.Op);
        Assert.Contains("[2, 3, 4]", bn.Message);
        Assert.Contains("[2]", bn.Message);
    }
}
