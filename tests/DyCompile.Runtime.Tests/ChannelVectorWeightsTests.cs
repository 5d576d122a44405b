namespace DyCompile.Runtime.Tests;

/// <summary>The channel-vector convolution keeps its repacked weights per weight tensor on the
/// compiled-code entry points and repacks them after <see cref="Tensor.MarkModified"/>; the eager
/// operation never reuses them, so it sees a weight changed in place without being told.</summary>
public class ChannelVectorWeightsTests
{
    private static readonly int[] One = [1];

    private static float[] Reference(Tensor input, Tensor weight, Tensor bias)
    {
        var expected = Tensor.Zeros(1, weight.Dim(0), input.Dim(2), input.Dim(3));
        TensorOps.Conv2dFusedWith(input, weight, bias, null, false, One, One, One, 1, expected, ConvAlgorithm.Im2ColGemm, 1);
        return expected.ToFloatArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"element {i}: {actual[i]} where {expected[i]}");
    }

    private static void ChangeInPlace(Tensor weight)
    {
        var values = weight.Floats;
        for (var i = 0; i < values.Length; i++) values[i] = -2f * values[i] + 0.01f * (i % 7);
    }

    [Fact]
    public void AWeightMarkedModifiedIsRepacked()
    {
        var input = DenseReference.RandomTensor(1, 1, 8, 16, 16);
        var weight = DenseReference.RandomTensor(2, 32, 8, 3, 3);
        var bias = DenseReference.RandomTensor(3, 32);
        var output = Tensor.Zeros(1, 32, 16, 16);
        TensorOps.Conv2dFusedWith(input, weight, bias, null, false, One, One, One, 1, output, ConvAlgorithm.ChannelVector, 2);
        AssertClose(Reference(input, weight, bias), output.ToFloatArray());

        ChangeInPlace(weight);
        weight.MarkModified();
        TensorOps.Conv2dFusedWith(input, weight, bias, null, false, One, One, One, 1, output, ConvAlgorithm.ChannelVector, 2);
        AssertClose(Reference(input, weight, bias), output.ToFloatArray());
    }

    [Fact]
    public void TheEagerOperationSeesAWeightChangedInPlace()
    {
        var input = DenseReference.RandomTensor(4, 1, 8, 16, 16);
        var weight = DenseReference.RandomTensor(5, 16, 8, 3, 3);
        var bias = DenseReference.RandomTensor(6, 16);
        AssertClose(Reference(input, weight, bias), TensorOps.Conv2d(input, weight, bias, One, One, One, 1).ToFloatArray());

        ChangeInPlace(weight);
        AssertClose(Reference(input, weight, bias), TensorOps.Conv2d(input, weight, bias, One, One, One, 1).ToFloatArray());
    }
}
