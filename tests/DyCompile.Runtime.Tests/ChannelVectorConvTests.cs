namespace DyCompile.Runtime.Tests;

/// <summary>The channel-vector convolution on a batch whose padded copies exceed what one call holds
/// at a time (2 MiB): the images run in groups, or an image larger than that alone in bands of rows;
/// a batch of at least two images per core runs image by image. Every image matches the direct
/// kernel (itself checked against the loop nest in <see cref="DirectConvTests"/>).</summary>
public class ChannelVectorConvTests
{
    [Fact]
    public void ABatchLargerThanThePaddedImageBudgetRunsInGroups()
    {
        // 3 images (fewer than two per core) of about 16 × 118 × 118 padded floats (223 K each): groups of 2 and 1.
        var input = DenseReference.RandomTensor(1, 3, 16, 116, 116);
        var weight = DenseReference.RandomTensor(2, 32, 16, 1, 1);
        var bias = DenseReference.RandomTensor(3, 32);
        var residual = DenseReference.RandomTensor(4, 3, 32, 118, 118);
        int[] one = [1];
        var expected = Tensor.Zeros(3, 32, 118, 118);
        var actual = Tensor.Zeros(3, 32, 118, 118);
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

    /// <summary>Nine images on two cores, each copied and convolved on its own: rows of 32 (two
    /// tiles), of 14 (14-pixel tiles), stride 2, one and two channel blocks, on both paths.</summary>
    [Theory]
    [InlineData(16, 16, 32, 1)]
    [InlineData(16, 32, 32, 2)]
    [InlineData(32, 32, 14, 1)]
    [InlineData(24, 48, 20, 1)]
    public void ABatchOfSmallImagesRunsImageByImage(int inChannels, int outChannels, int size, int stride)
    {
        const int batch = 9;
        var input = DenseReference.RandomTensor(11, batch, inChannels, size, size);
        var weight = DenseReference.RandomTensor(12, outChannels, inChannels, 3, 3);
        var bias = DenseReference.RandomTensor(13, outChannels);
        int[] strides = [stride], one = [1];
        var outSize = (size - 1) / stride + 1;
        var residual = DenseReference.RandomTensor(14, batch, outChannels, outSize, outSize);
        var expected = Tensor.Zeros(batch, outChannels, outSize, outSize);
        TensorOps.Conv2dFusedWith(input, weight, bias, residual, true, strides, one, one, 1, expected, ConvAlgorithm.Direct, 2);
        foreach (var path in new[] { SimdPath.Avx512, SimdPath.Avx2 })
        {
            var actual = Tensor.Zeros(batch, outChannels, outSize, outSize);
            using (KernelIsa.Force(path))
                TensorOps.Conv2dFusedWith(input, weight, bias, residual, true, strides, one, one, 1, actual, ConvAlgorithm.ChannelVector, 2);
            DenseReference.AssertClose(expected.Floats, actual.Floats, 2e-4f);
        }
    }
}
