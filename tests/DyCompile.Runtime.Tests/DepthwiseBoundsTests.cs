namespace DyCompile.Runtime.Tests;

/// <summary>The depthwise kernel never writes outside the output: a row's last vector stores all
/// 8 lanes only when they stay inside its own plane (a 2×2 plane's first row once wrote 6 pixels
/// past it, beyond the output array for the last channel, which corrupted the heap).</summary>
public unsafe class DepthwiseBoundsTests
{
    [Theory]
    [InlineData(5, 4, 2, 1, 2)] // 2×2 output planes
    [InlineData(3, 3, 1, 1, 1)] // 3×3
    [InlineData(9, 9, 3, 3, 2)] // 4×4
    [InlineData(20, 12, 3, 3, 1)] // 18×10: a 2-lane tail on every row
    public void NothingIsWrittenPastTheLastPlane(int height, int width, int kh, int kw, int stride)
    {
        const int channels = 3, guard = 64;
        var outHeight = (height - kh) / stride + 1;
        var outWidth = (width - kw) / stride + 1;
        var input = DenseReference.RandomTensor(1, 1, channels, height, width);
        var weight = DenseReference.RandomTensor(2, channels, 1, kh, kw);
        var bias = DenseReference.RandomTensor(3, channels);
        var expected = TensorOps.Conv2d(input, weight, bias, [stride], [0], [1], channels).ToFloatArray();

        var output = new float[expected.Length + guard];
        output.AsSpan().Fill(float.NaN);
        var geometry = new ConvGeometry(1, height, width, kh, kw, stride, stride, 0, 0, 1, 1, outHeight, outWidth);
        foreach (var portable in new[] { false, true })
        {
            fixed (float* pIn = input.Floats, pW = weight.Floats, pB = bias.Floats, pOut = output)
                DepthwiseConvProblem.Run(pIn, pW, pB, null, pOut, 1, channels, 1, geometry, relu: false, portable, maxThreads: 1);
            Assert.Equal(expected, output[..expected.Length], (a, b) => Math.Abs(a - b) <= 1e-5f * (1 + Math.Abs(a)));
            Assert.All(output[expected.Length..], v => Assert.True(float.IsNaN(v)));
        }
    }
}
