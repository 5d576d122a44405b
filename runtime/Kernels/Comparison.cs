using Fn = DyCompile.Runtime.ComparisonFunctions;

namespace DyCompile.Runtime;

/// <summary>Elementwise comparisons with PyTorch broadcasting; operands of one dtype, result bool.</summary>
public static partial class TensorOps
{
    [OpKernel("gt")]
    public static Tensor Gt(Tensor a, Tensor b)
    {
        var result = BinaryFunctions.Allocate("gt", a, b, DType.Bool);
        GtInto(a, b, result);
        return result;
    }

    public static void GtInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Run<Fn.Greater<float>, Fn.Greater<int>, Fn.Greater<long>, Fn.Greater<byte>>("gt", a, b, destination);

    [OpKernel("ge")]
    public static Tensor Ge(Tensor a, Tensor b)
    {
        var result = BinaryFunctions.Allocate("ge", a, b, DType.Bool);
        GeInto(a, b, result);
        return result;
    }

    public static void GeInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Run<Fn.GreaterOrEqual<float>, Fn.GreaterOrEqual<int>, Fn.GreaterOrEqual<long>, Fn.GreaterOrEqual<byte>>("ge", a, b, destination);

    [OpKernel("lt")]
    public static Tensor Lt(Tensor a, Tensor b)
    {
        var result = BinaryFunctions.Allocate("lt", a, b, DType.Bool);
        LtInto(a, b, result);
        return result;
    }

    public static void LtInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Run<Fn.Less<float>, Fn.Less<int>, Fn.Less<long>, Fn.Less<byte>>("lt", a, b, destination);

    [OpKernel("le")]
    public static Tensor Le(Tensor a, Tensor b)
    {
        var result = BinaryFunctions.Allocate("le", a, b, DType.Bool);
        LeInto(a, b, result);
        return result;
    }

    public static void LeInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Run<Fn.LessOrEqual<float>, Fn.LessOrEqual<int>, Fn.LessOrEqual<long>, Fn.LessOrEqual<byte>>("le", a, b, destination);

    [OpKernel("eq")]
    public static Tensor Eq(Tensor a, Tensor b)
    {
        var result = BinaryFunctions.Allocate("eq", a, b, DType.Bool);
        EqInto(a, b, result);
        return result;
    }

    public static void EqInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Run<Fn.Equal<float>, Fn.Equal<int>, Fn.Equal<long>, Fn.Equal<byte>>("eq", a, b, destination);
}
