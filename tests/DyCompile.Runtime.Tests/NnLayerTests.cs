using DyCompile.Runtime.Nn;

namespace DyCompile.Runtime.Tests;

public class NnLayerTests
{
    private const float Tolerance = 1e-5f;

    private static Tensor RandomTensor(Random random, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        foreach (ref var v in t.Floats) v = (float)(random.NextDouble() * 2 - 1);
        return t;
    }

    private static void AssertClose(float[] expected, Tensor actual, float tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.Floats[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual.Floats[i]}");
    }

    // ---- initialization ----

    [Fact]
    public void InitializationIsSeededAndBoundedByFanIn()
    {
        var a = new Linear(9, 4, generator: new Random(5));
        var b = new Linear(9, 4, generator: new Random(5));
        var c = new Linear(9, 4, generator: new Random(6));
        Assert.Equal(a.Weight.Floats.ToArray(), b.Weight.Floats.ToArray());
        Assert.Equal(a.Bias!.Floats.ToArray(), b.Bias!.Floats.ToArray());
        Assert.NotEqual(a.Weight.Floats.ToArray(), c.Weight.Floats.ToArray());
        Assert.All(a.Weight.Floats.ToArray(), w => Assert.InRange(w, -1f / 3, 1f / 3));
        Assert.All(a.Bias!.Floats.ToArray(), w => Assert.InRange(w, -1f / 3, 1f / 3));
        // conv fan_in = in/groups · kh · kw = 4/2 · 3 · 3 = 18
        var conv = new Conv2d(4, 6, 3, groups: 2, generator: new Random(1));
        Assert.Equal(new[] { 6, 2, 3, 3 }, conv.Weight.ShapeArray());
        var bound = 1 / MathF.Sqrt(18);
        Assert.All(conv.Weight.Floats.ToArray(), w => Assert.InRange(w, -bound, bound));
        Assert.Contains(conv.Weight.Floats.ToArray(), w => Math.Abs(w) > bound / 2); // spread, not squeezed near 0
    }

    // ---- linear ----

    [Fact]
    public void LinearComputesXWTransposePlusBias()
    {
        var random = new Random(11);
        var layer = new Linear(3, 2, generator: random);
        var x = RandomTensor(random, 4, 3);
        var expected = new float[4 * 2];
        for (var n = 0; n < 4; n++)
            for (var o = 0; o < 2; o++)
            {
                var s = layer.Bias!.Floats[o];
                for (var i = 0; i < 3; i++) s += x.Floats[n * 3 + i] * layer.Weight.Floats[o * 3 + i];
                expected[n * 2 + o] = s;
            }
        AssertClose(expected, layer.Forward(x));

        var noBias = new Linear(3, 2, bias: false);
        Assert.Null(noBias.Bias);
        Assert.Equal(new[] { "weight" }, noBias.NamedParameters().Select(p => p.Name));
        noBias.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.FromArray(new[] { 1f, 2, 3, -1, 0, 1 }, 2, 3) });
        AssertClose([1 + 4 + 9, -1 + 3], noBias.Forward(Tensor.FromArray(new[] { 1f, 2, 3 }, 1, 3)));
    }

    // ---- conv2d ----

    [Theory]
    [InlineData(1, 1, 0, 1, 1)]
    [InlineData(2, 1, 1, 1, 1)]
    [InlineData(1, 2, 2, 2, 2)]
    [InlineData(2, 2, 1, 1, 4)]
    public void Conv2dMatchesDirectSum(int stride, int dilation, int padding, int kernel, int groups)
    {
        const int n = 2, inC = 4, outC = 4, h = 6, w = 5;
        var random = new Random(3);
        var conv = new Conv2d(inC, outC, kernel, stride, padding, dilation, groups, generator: random);
        var x = RandomTensor(random, n, inC, h, w);
        var oh = (h + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
        var ow = (w + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
        var cg = inC / groups;
        var og = outC / groups;
        var expected = new float[n * outC * oh * ow];
        for (var b = 0; b < n; b++)
            for (var o = 0; o < outC; o++)
                for (var y = 0; y < oh; y++)
                    for (var xx = 0; xx < ow; xx++)
                    {
                        var s = conv.Bias!.Floats[o];
                        for (var ci = 0; ci < cg; ci++)
                            for (var ky = 0; ky < kernel; ky++)
                                for (var kx = 0; kx < kernel; kx++)
                                {
                                    var iy = y * stride - padding + ky * dilation;
                                    var ix = xx * stride - padding + kx * dilation;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    var c = o / og * cg + ci;
                                    s += x.Floats[((b * inC + c) * h + iy) * w + ix] * conv.Weight.Floats[((o * cg + ci) * kernel + ky) * kernel + kx];
                                }
                        expected[((b * outC + o) * oh + y) * ow + xx] = s;
                    }
        var result = conv.Forward(x);
        Assert.Equal(new[] { n, outC, oh, ow }, result.ShapeArray());
        AssertClose(expected, result, 1e-4f);
    }

    [Fact]
    public void Conv2dRejectsBadConfigurations()
    {
        Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, groups: 2));
        Assert.Throws<ArgumentException>(() => new Conv2d(2, 2, [3], [1, 1], [0, 0], [1, 1]));
        Assert.Throws<ArgumentException>(() => new Conv2d(2, 2, 3, stride: 0));
    }

    // ---- batch norm ----

    [Fact]
    public void BatchNorm2dUsesRunningStatistics()
    {
        var bn = new BatchNorm2d(2, eps: 1e-3f);
        float[] mean = [0.5f, -1f], variance = [4f, 0.25f], weight = [2f, -1f], bias = [0.1f, 3f];
        bn.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.FromArray((float[])weight.Clone(), 2),
            ["bias"] = Tensor.FromArray((float[])bias.Clone(), 2),
            ["running_mean"] = Tensor.FromArray((float[])mean.Clone(), 2),
            ["running_var"] = Tensor.FromArray((float[])variance.Clone(), 2),
            ["num_batches_tracked"] = Tensor.Scalar(10L),
        });
        var x = RandomTensor(new Random(4), 3, 2, 2, 2);
        var expected = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var c = i / 4 % 2;
            expected[i] = (x.Floats[i] - mean[c]) / MathF.Sqrt(variance[c] + 1e-3f) * weight[c] + bias[c];
        }
        AssertClose(expected, bn.Forward(x));
        Assert.Throws<TensorOpException>(() => bn.Forward(Tensor.Zeros(2, 2)));

        var fresh = new BatchNorm2d(2, affine: false);
        Assert.Empty(fresh.NamedParameters());
        AssertClose(x.Floats.ToArray().Select(v => v / MathF.Sqrt(1 + 1e-5f)).ToArray(), fresh.Forward(x));
    }

    // ---- layer norm ----

    [Fact]
    public void LayerNormNormalizesTrailingDims()
    {
        var random = new Random(8);
        var ln = new LayerNorm([2, 3]);
        var weight = RandomTensor(random, 2, 3);
        var bias = RandomTensor(random, 2, 3);
        ln.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = weight, ["bias"] = bias });
        var x = RandomTensor(random, 4, 2, 3);
        var expected = new float[x.Length];
        for (var r = 0; r < 4; r++)
        {
            var row = x.Floats.Slice(r * 6, 6).ToArray();
            var m = row.Average();
            var v = row.Select(e => (e - m) * (e - m)).Average(); // biased variance
            for (var j = 0; j < 6; j++)
                expected[r * 6 + j] = (row[j] - m) / MathF.Sqrt(v + 1e-5f) * weight.Floats[j] + bias.Floats[j];
        }
        AssertClose(expected, ln.Forward(x), 1e-4f);
        Assert.Equal(new[] { "weight", "bias" }, ln.NamedParameters().Select(p => p.Name));
        Assert.Empty(new LayerNorm(3, elementwiseAffine: false).NamedParameters());
    }

    // ---- embedding ----

    [Fact]
    public void EmbeddingLooksUpRowsAndZeroesThePaddingRow()
    {
        var embedding = new Embedding(5, 3, paddingIdx: -1, generator: new Random(2));
        Assert.Equal(4, embedding.PaddingIdx);
        Assert.All(embedding.Weight.Floats.Slice(12, 3).ToArray(), v => Assert.Equal(0f, v));
        var ids = Tensor.FromArray(new long[] { 4, 0, 2, 2 }, 2, 2);
        var y = embedding.Forward(ids);
        Assert.Equal(new[] { 2, 2, 3 }, y.ShapeArray());
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 3; j++)
                Assert.Equal(embedding.Weight.Floats[(int)ids.Longs[i] * 3 + j], y.Floats[i * 3 + j]);
        // N(0, 1): over many draws the sample mean and variance are near 0 and 1.
        var big = new Embedding(100, 100, generator: new Random(3)).Weight.Floats.ToArray();
        Assert.InRange(big.Average(), -0.05, 0.05);
        Assert.InRange(big.Select(v => v * v).Average(), 0.9, 1.1);
    }

    // ---- LSTM cell ----

    private static float Sigmoid(float z) => 1 / (1 + MathF.Exp(-z));

    [Fact]
    public void LstmCellMatchesHandWrittenGates()
    {
        const int batch = 2, inSize = 3, hidden = 4;
        var random = new Random(21);
        var cell = new LSTMCell(inSize, hidden, generator: random);
        var x = RandomTensor(random, batch, inSize);
        var h = RandomTensor(random, batch, hidden);
        var c = RandomTensor(random, batch, hidden);

        float Gate(int b, int row) // row of the stacked [4h] gate pre-activations
        {
            var s = cell.BiasIh!.Floats[row] + cell.BiasHh!.Floats[row];
            for (var k = 0; k < inSize; k++) s += cell.WeightIh.Floats[row * inSize + k] * x.Floats[b * inSize + k];
            for (var k = 0; k < hidden; k++) s += cell.WeightHh.Floats[row * hidden + k] * h.Floats[b * hidden + k];
            return s;
        }

        var expectedH = new float[batch * hidden];
        var expectedC = new float[batch * hidden];
        for (var b = 0; b < batch; b++)
            for (var j = 0; j < hidden; j++)
            {
                var i = Sigmoid(Gate(b, j));
                var f = Sigmoid(Gate(b, hidden + j));
                var g = MathF.Tanh(Gate(b, 2 * hidden + j));
                var o = Sigmoid(Gate(b, 3 * hidden + j));
                var cNext = f * c.Floats[b * hidden + j] + i * g;
                expectedC[b * hidden + j] = cNext;
                expectedH[b * hidden + j] = o * MathF.Tanh(cNext);
            }
        var (hOut, cOut) = cell.Forward(x, (h, c));
        Assert.Equal(new[] { batch, hidden }, hOut.ShapeArray());
        AssertClose(expectedH, hOut);
        AssertClose(expectedC, cOut);

        Assert.Equal(new[] { 4 * hidden, inSize }, cell.WeightIh.ShapeArray());
        Assert.Equal(new[] { 4 * hidden, hidden }, cell.WeightHh.ShapeArray());
        Assert.Equal(new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" }, cell.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void LstmCellStartsFromZeroStateAndAcceptsOneSample()
    {
        var cell = new LSTMCell(2, 3, generator: new Random(1));
        var x = Tensor.FromArray(new[] { 0.5f, -1f }, 2);
        var (h1, c1) = cell.Forward(x);
        var (h2, c2) = cell.Forward(x.Reshape(1, 2), (Tensor.Zeros(1, 3), Tensor.Zeros(1, 3)));
        Assert.Equal(new[] { 3 }, h1.ShapeArray());
        Assert.Equal(h2.Floats.ToArray(), h1.Floats.ToArray());
        Assert.Equal(c2.Floats.ToArray(), c1.Floats.ToArray());
        // With zero state, c' = i·g: the forget gate has nothing to keep.
        var gi = Enumerable.Range(0, 3).Select(j => cell.BiasIh!.Floats[j] + cell.BiasHh!.Floats[j] + cell.WeightIh.Floats[j * 2] * 0.5f - cell.WeightIh.Floats[j * 2 + 1]).ToArray();
        var gg = Enumerable.Range(6, 3).Select(j => cell.BiasIh!.Floats[j] + cell.BiasHh!.Floats[j] + cell.WeightIh.Floats[j * 2] * 0.5f - cell.WeightIh.Floats[j * 2 + 1]).ToArray();
        AssertClose(Enumerable.Range(0, 3).Select(j => Sigmoid(gi[j]) * MathF.Tanh(gg[j])).ToArray(), c1);
        Assert.Throws<TensorOpException>(() => cell.Forward(Tensor.Zeros(1, 3)));
        Assert.Throws<TensorOpException>(() => cell.Forward(Tensor.Zeros(1, 2), (Tensor.Zeros(2, 3), Tensor.Zeros(2, 3))));
    }
}
