namespace DyCompile.Runtime.Tests;

/// <summary>The channel-vector convolution on a batch whose padded copies exceed what one call holds
/// at a time (2 MiB): the images run in groups, and every image matches the direct kernel (itself
/// checked against the loop nest in <see cref="DirectConvTests"/>).</summary>
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
}
