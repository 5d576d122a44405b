using DyCompile.Runtime;

namespace DyCompile.Runtime.Tests;

public class TensorTests
{
    [Fact]
    public void ZerosHasShapeLengthAndDType()
    {
        var t = Tensor.Zeros(DType.Int64, 2, 0, 3);
        Assert.Equal(new[] { 2, 0, 3 }, t.ShapeArray());
        Assert.Equal(0, t.Length);
        Assert.Equal(DType.Int64, t.DType);
    }

    [Fact]
    public void DimAcceptsNegativeAxesAndRejectsOutOfRange()
    {
        var t = Tensor.Zeros(2, 3, 4);
        Assert.Equal(4, t.Dim(-1));
        Assert.Equal(2, t.Dim(-3));
        var e = Assert.Throws<TensorOpException>(() => t.Dim(3));
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void ItemReadsOneElementAndRejectsOthers()
    {
        Assert.Equal(2.5f, Tensor.Scalar(2.5f).Item());
        Assert.Equal(7f, Tensor.FromArray(new long[] { 7 }, 1, 1).Item());
        var e = Assert.Throws<TensorOpException>(() => Tensor.Zeros(2).Item());
        Assert.Contains("item", e.Message);
        Assert.Contains("[2]", e.Message);
    }

    [Fact]
    public void AsSpanRejectsWrongElementType()
    {
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(3).AsSpan<int>());
    }

    [Fact]
    public void FromBytesRoundTripsAndCanonicalizesBools()
    {
        var t = Tensor.FromArray(new[] { 1.5f, -2f }, 2);
        var back = Tensor.FromBytes(DType.Float32, [2], t.AsBytes());
        Assert.Equal(t.Floats.ToArray(), back.Floats.ToArray());
        var b = Tensor.FromBytes(DType.Bool, [2], new byte[] { 0, 7 });
        Assert.Equal(new[] { false, true }, b.Bools.ToArray());
        Assert.Throws<ArgumentException>(() => Tensor.FromBytes(DType.Float32, [3], t.AsBytes()));
    }

    [Fact]
    public void BroadcastFollowsPyTorchRules()
    {
        Assert.Equal(new[] { 4, 2, 3 }, Shapes.Broadcast("add", [2, 1], [4, 1, 3]));
        Assert.Equal(new[] { 0, 3 }, Shapes.Broadcast("add", [0, 1], [3]));
        var e = Assert.Throws<TensorOpException>(() => Shapes.Broadcast("add", [2, 3], [4, 3]));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
    }
}
