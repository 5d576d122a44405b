using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

public class TypeEqualityTests
{
    [Fact]
    public void TypesCompareByValue()
    {
        IRType a = IRType.F32(2, 3), b = new TensorType(DType.Float32, new List<int> { 2, 3 });
        Assert.True(a.Equals(b));
        Assert.True(a == b);
        Assert.True(EqualityComparer<IRType>.Default.Equals(a, b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a, b);
        Assert.NotEqual(a, IRType.F32(3, 2));
        Assert.NotEqual(a, IRType.Tensor(DType.Int32, 2, 3));
        Assert.NotEqual<IRType>(IRType.Int, IRType.Float);
        Assert.Equal<IRType>(IRType.Int, new ScalarType(ScalarKind.Int));
        Assert.Equal(new IRType[] { IRType.F32(2), IRType.Bool }, new List<IRType> { IRType.F32(2), IRType.Bool });
        Assert.Equal("tensor<f32, [2, ?]>", IRType.F32(2, TensorType.Dynamic).ToString());
    }
}
