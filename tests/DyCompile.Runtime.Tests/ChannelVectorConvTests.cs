namespace DyCompile.Runtime.Tests;

/// <summary>The channel-vector convolution on a batch whose padded copies exceed what one call holds
/// at a time (2 MiB): the images run in groups, or an image larger than that alone in bands of rows,
/// and every image matches the direct kernel (itself checked against the loop nest in
/// <see cref="DirectConvTests"/>).</summary>
public class ChannelVectorConvTests
{
    [Fact]
    public void ABatchLargerThanThePaddedImageBudgetRunsInGroups()
    {
        // 5 images of about 16 × 98 × 98 padded floats (154 K each): groups of 3 and 2.
        var input = DenseReference.RandomTensor(1, 5, 16, 96, 96);
        var weight = DenseReference.RandomTensor(2, 32, 16, 1, 1);
        var bias = DenseReference.RandomTensor(3, 32);
        var residual = DenseReference.RandomTensor(4, 5, 32, 98, 98);
        int[] one = [1];
        var expected = Tensor.Zeros(5, 32, 98, 98);
        var actual = Tensor.Zeros(5, 32, 98, 98);
        TensorOps.Conv2dFusedWith(input, weight, bias, residual, true, one, one, one, 1, expected, ConvAlgorithm.Direct, 2);
        TensorOps.Conv2dFusedWith(input, weight, bias, residual, true, one, one, one, 1, actual, ConvAlgorithm.ChannelVector, 2);
        var e = expected.Floats;
        var a = actual.Floats;
        for (var i = 0; i < e.Length; i++)
            if (Math.Abs(e[i] - a[i]) > 1e-4f * (1 + Math.Abs(e[i]))) Assert.Fail($"element {i}: {a[i]} where {e[i]}");
    }

    [Theory]
    // (batch, in, out, size, kernel, stride): one band per ~40 padded rows of 16 channels, the last
    // band shorter; stride 2; an odd block count (a single last block); input channels in ranges of
    // 64 (96 channels); a 5 × 5 kernel.
    [InlineData(1, 16, 32, 200, 3, 1)]
    [InlineData(2, 16, 32, 200, 3, 2)]
    [InlineData(1, 48, 48, 120, 3, 1)]
    [InlineData(1, 96, 32, 80, 3, 1)]
    [InlineData(1, 16, 16, 190, 5, 1)]
    public void AnImageLargerThanTheBudgetRunsInBandsOfRows(int batch, int inChannels, int outChannels, int size, int kernel, int stride)
    {
        var input = DenseReference.RandomTensor(1, batch, inChannels, size, size);
        var weight = DenseReference.RandomTensor(2, outChannels, inChannels, kernel, kernel);
        var bias = DenseReference.RandomTensor(3, outChannels);
        int[] strides = [stride], padding = [kernel / 2], one = [1];
        var outSize = (size + 2 * (kernel / 2) - kernel) / stride + 1;
        var residual = DenseReference.RandomTensor(4, batch, outChannels, outSize, outSize);
        var expected = Tensor.Zeros(batch, outChannels, outSize, outSize);
        var actual = Tensor.Zeros(batch, outChannels, outSize, outSize);
        TensorOps.Conv2dFusedWith(input, weight, bias, residual, true, strides, padding, one, 1, expected, ConvAlgorithm.Direct, 2);
        TensorOps.Conv2dFusedWith(input, weight, bias, residual, true, strides, padding, one, 1, actual, ConvAlgorithm.ChannelVector, 2);
        var e = expected.Floats;
        var a = actual.Floats;
        for (var i = 0; i < e.Length; i++)
            if (Math.Abs(e[i] - a[i]) > 2e-4f * (1 + Math.Abs(e[i]))) Assert.Fail($"element {i}: {a[i]} where {e[i]}");
    }
}
