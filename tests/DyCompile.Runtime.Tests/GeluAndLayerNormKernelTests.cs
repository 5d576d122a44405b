namespace DyCompile.Runtime.Tests;

/// <summary>The single-precision GELU formulas (vector, scalar, span kernel) against the double
/// evaluation, and the row-wise layer norm (vector and scalar loops) against a naive double
/// computation, and softmax rows (run by compiled code through SoftmaxInto) against the formula.</summary>
public class GeluAndLayerNormKernelTests
{
    private static double ReferenceGelu(double x) => SpecialFunctions.Gelu((float)x);

    private static float[] GeluInputs()
    {
        var values = Enumerable.Range(-1500, 3001).Select(i => i / 100f).ToList();
        const float t = GeluMath.TailStart;
        values.AddRange([1e-8f, -1e-8f, 0f, -0f, 3.0001f, -2.9999f, -3.0001f, t + 1e-4f, t, t - 1e-4f, 25f, 1e4f, -40f]);
        return [.. values];
    }

    [Fact]
    public void VectorsMixingLowerTailAndOtherLanesMatchTheScalarFormulaLaneForLane()
    {
        // Every vector of eight has tail lanes (below TailStart, down to -1e4 and -inf) next to
        // ordinary ones (the float formula's lower tail among them) and NaN.
        var random = new Random(5);
        var x = new float[8 * 200 + 5];
        for (var i = 0; i < x.Length; i++)
            x[i] = (i % 8) switch
            {
                0 => GeluMath.TailStart - (float)random.NextDouble() * 20f,
                1 => GeluMath.TailStart + (float)random.NextDouble() * (3 - GeluMath.TailStart),
                2 => -(float)Math.Pow(10, random.NextDouble() * 4),
                3 => i % 5 == 0 ? float.NaN : float.NegativeInfinity,
                _ => (float)(random.NextDouble() * 40 - 20),
            };
        var scalar = new float[x.Length];
        var vector = new float[x.Length];
        GeluMath.Gelu(x, scalar, allowVector: false);
        GeluMath.Gelu(x, vector);
        for (var i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(scalar[i]))
            {
                Assert.True(float.IsNaN(vector[i]), $"gelu({x[i]}) = {vector[i]}, expected NaN");
                continue;
            }
            var expected = ReferenceGelu(x[i]);
            Assert.True(Math.Abs(vector[i] - expected) <= 5e-7 * Math.Abs(expected) + 1e-37, $"vector gelu({x[i]}) = {vector[i]}, expected {expected}");
        }
    }

    [Fact]
    public void ScalarAndVectorGeluAgreeWithTheDoubleEvaluation()
    {
        var x = GeluInputs();
        var scalar = new float[x.Length];
        var vector = new float[x.Length];
        GeluMath.Gelu(x, scalar, allowVector: false);
        GeluMath.Gelu(x, vector);
        for (var i = 0; i < x.Length; i++)
        {
            var expected = ReferenceGelu(x[i]);
            var bound = 1e-6 * Math.Max(1, Math.Abs(x[i]));
            Assert.True(Math.Abs(scalar[i] - expected) <= bound, $"scalar gelu({x[i]}) = {scalar[i]}, expected {expected}");
            Assert.True(Math.Abs(vector[i] - expected) <= bound, $"vector gelu({x[i]}) = {vector[i]}, expected {expected}");
            // Relative accuracy: the lower tail is tiny but still carries the right digits.
            Assert.True(Math.Abs(vector[i] - expected) <= 5e-7 * Math.Abs(expected) + 1e-37, $"vector gelu({x[i]}) = {vector[i]}, expected {expected}");
        }
    }

    [Fact]
    public void TheFloatFormulaKeepsItsRelativeAccuracyDownToTheTailStart()
    {
        // Between TailStart and -3 the vector formula alone answers (no double evaluation), and
        // its results are still far above the subnormal range: relative error only.
        var x = Enumerable.Range(0, 20001).Select(i => GeluMath.TailStart + i * ((-3f - GeluMath.TailStart) / 20000f)).ToArray();
        var vector = new float[x.Length];
        GeluMath.Gelu(x, vector);
        for (var i = 0; i < x.Length; i++)
        {
            var expected = ReferenceGelu(x[i]);
            Assert.True(Math.Abs(vector[i] - expected) <= 5e-7 * Math.Abs(expected), $"vector gelu({x[i]}) = {vector[i]}, expected {expected}");
        }
    }

    [Fact]
    public void LargeTensorsSharedOutOverTheCoresGetTheSameValuesInPlaceOrNot()
    {
        // Long enough to be split into chunks; a length off the vector width leaves a scalar tail.
        var random = new Random(8);
        var values = Enumerable.Range(0, 3 * 65536 + 13).Select(_ => (float)(random.NextDouble() * 40 - 25)).ToArray();
        var expected = new float[values.Length];
        GeluMath.Gelu(values, expected, allowVector: false);
        var x = Tensor.FromArray((float[])values.Clone(), values.Length);
        var y = Tensor.Zeros(values.Length);
        TensorOps.GeluInto(x, y);
        Assert.Equal(expected, y.Floats.ToArray());
        TensorOps.GeluInto(x, x);
        Assert.Equal(expected, x.Floats.ToArray());
    }

    [Fact]
    public void GeluHandlesSpecialValuesInEveryLane()
    {
        float[] x = [float.PositiveInfinity, float.NaN, -30f, 0f, 1f, -1f, 2f, 100f, 5f];
        var y = new float[x.Length];
        GeluMath.Gelu(x, y);
        Assert.Equal(float.PositiveInfinity, y[0]);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(0f, y[2]);
        Assert.Equal(0f, y[3]);
        Assert.Equal(100f, y[7]);
        Assert.Equal(GeluMath.Gelu(5f), y[8]);
        Assert.True(float.IsNaN(GeluMath.Gelu(float.NaN)));
        Assert.Equal(float.PositiveInfinity, GeluMath.Gelu(float.PositiveInfinity));
    }

    private static float[] NaiveLayerNorm(float[] x, float[] gamma, float[] beta, float eps)
    {
        var size = gamma.Length;
        var y = new float[x.Length];
        for (var r = 0; r < x.Length / size; r++)
        {
            double mean = 0, variance = 0;
            for (var i = 0; i < size; i++) mean += x[r * size + i];
            mean /= size;
            for (var i = 0; i < size; i++) variance += (x[r * size + i] - mean) * (x[r * size + i] - mean);
            variance /= size;
            for (var i = 0; i < size; i++)
                y[r * size + i] = (float)((x[r * size + i] - mean) / Math.Sqrt(variance + eps) * gamma[i] + beta[i]);
        }
        return y;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(5, 13)]
    [InlineData(128, 256)]
    [InlineData(4, 259)]
    public void LayerNormRowsMatchTheNaiveFormulaOnBothPaths(int rows, int size)
    {
        var x = DenseReference.Random(rows * size, rows + size).Select(v => v * 3 + 10).ToArray();
        var gamma = DenseReference.Random(size, 2);
        var beta = DenseReference.Random(size, 3);
        var expected = NaiveLayerNorm(x, gamma, beta, 1e-5f);
        foreach (var vector in new[] { true, false })
        {
            var y = new float[x.Length];
            TensorOps.LayerNormRows(x, gamma, beta, 1e-5f, y, vector);
            DenseReference.AssertClose(expected, y, 2e-5f);
        }
    }

    /// <summary>Enough rows to be shared out over the cores (an odd count, so the chunks differ in
    /// size): every row the same floats as the rows normalized one by one on one thread.</summary>
    [Theory]
    [InlineData(2048, 256)]
    [InlineData(77, 259)]
    [InlineData(4, 4096)]
    public void RowsSharedOverTheCoresGiveTheSingleThreadFloats(int rows, int size)
    {
        var x = DenseReference.RandomTensor(rows + size, rows, size);
        var gamma = DenseReference.RandomTensor(5, size);
        var beta = DenseReference.RandomTensor(6, size);
        var expected = new float[rows * size];
        TensorOps.LayerNormRows(x.Floats, gamma.Floats, beta.Floats, 1e-5f, expected, vector: true);
        var destination = Tensor.Zeros(rows, size);
        TensorOps.LayerNormInto(x, gamma, beta, 1e-5f, destination);
        Assert.Equal(expected, destination.Floats.ToArray());
        Assert.Equal(expected, TensorOps.LayerNorm(x, gamma, beta, 1e-5f).Floats.ToArray());
        DenseReference.AssertClose(NaiveLayerNorm(x.Floats.ToArray(), gamma.Floats.ToArray(), beta.Floats.ToArray(), 1e-5f), destination.Floats, 2e-5f);
    }

    [Fact]
    public void LayerNormIntoWritesTheEagerResultAndChecksTheDestination()
    {
        var x = DenseReference.RandomTensor(7, 2, 9, 24);
        var gamma = DenseReference.RandomTensor(8, 24);
        var beta = DenseReference.RandomTensor(9, 24);
        var destination = Tensor.Zeros(2, 9, 24);
        TensorOps.LayerNormInto(x, gamma, beta, 1e-5f, destination);
        Assert.Equal(TensorOps.LayerNorm(x, gamma, beta, 1e-5f).Floats.ToArray(), destination.Floats.ToArray());
        DenseReference.AssertClose(NaiveLayerNorm(x.Floats.ToArray(), gamma.Floats.ToArray(), beta.Floats.ToArray(), 1e-5f), destination.Floats, 2e-5f);
        Assert.Throws<TensorOpException>(() => TensorOps.LayerNormInto(x, gamma, beta, 1e-5f, Tensor.Zeros(2, 24, 9)));
    }

    [Theory]
    [InlineData(3, 7)]
    [InlineData(2, 8)]
    [InlineData(4, 13)]
    [InlineData(512, 128)]
    [InlineData(2, 1001)]
    public void SoftmaxRowsMatchTheNaiveFormula(int rows, int length)
    {
        var x = DenseReference.Random(rows * length, rows * 31 + length).Select(v => v * 8).ToArray();
        var y = TensorOps.Softmax(Tensor.FromArray(x, rows, length), -1).Floats.ToArray();
        for (var r = 0; r < rows; r++)
        {
            var max = x.Skip(r * length).Take(length).Max();
            var sum = x.Skip(r * length).Take(length).Sum(v => Math.Exp(v - max));
            for (var j = 0; j < length; j++)
            {
                var expected = Math.Exp(x[r * length + j] - max) / sum;
                Assert.True(Math.Abs(y[r * length + j] - expected) <= 1e-6 * Math.Max(expected, 1e-3), $"row {r}, column {j}: {y[r * length + j]} vs {expected}");
            }
        }
    }
}
