using Fn = DyCompile.Runtime.BinaryFunctions;

namespace DyCompile.Runtime;

/// <summary>Binary arithmetic with PyTorch broadcasting. Each op has an allocating kernel and
/// an <c>...Into</c> form that writes a caller-owned destination of the broadcast shape and
/// dtype (it may be one of the operands when that operand already has the result's shape).</summary>
public static partial class TensorOps
{
    [OpKernel("add")]
    public static Tensor Add(Tensor a, Tensor b)
    {
        var result = Fn.Allocate("add", a, b);
        AddInto(a, b, result);
        return result;
    }

    public static void AddInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Numeric<Fn.Add<float>, Fn.Add<int>, Fn.Add<long>>("add", a, b, destination);

    [OpKernel("sub")]
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var result = Fn.Allocate("sub", a, b);
        SubInto(a, b, result);
        return result;
    }

    public static void SubInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Numeric<Fn.Subtract<float>, Fn.Subtract<int>, Fn.Subtract<long>>("sub", a, b, destination);

    [OpKernel("mul")]
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var result = Fn.Allocate("mul", a, b);
        MulInto(a, b, result);
        return result;
    }

    public static void MulInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Numeric<Fn.Multiply<float>, Fn.Multiply<int>, Fn.Multiply<long>>("mul", a, b, destination);

    [OpKernel("div")]
    public static Tensor Div(Tensor a, Tensor b)
    {
        var result = Fn.Allocate("div", a, b);
        DivInto(a, b, result);
        return result;
    }

    public static void DivInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Float<Fn.Divide>("div", a, b, destination);

    [OpKernel("pow")]
    public static Tensor Pow(Tensor a, Tensor b)
    {
        var result = Fn.Allocate("pow", a, b);
        PowInto(a, b, result);
        return result;
    }

    public static void PowInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Float<Fn.Power>("pow", a, b, destination);

    [OpKernel("minimum")]
    public static Tensor Minimum(Tensor a, Tensor b)
    {
        var result = Fn.Allocate("minimum", a, b);
        MinimumInto(a, b, result);
        return result;
    }

    public static void MinimumInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Numeric<Fn.Minimum<float>, Fn.Minimum<int>, Fn.Minimum<long>>("minimum", a, b, destination);

    [OpKernel("maximum")]
    public static Tensor Maximum(Tensor a, Tensor b)
    {
        var result = Fn.Allocate("maximum", a, b);
        MaximumInto(a, b, result);
        return result;
    }

    public static void MaximumInto(Tensor a, Tensor b, Tensor destination) =>
        Fn.Numeric<Fn.Maximum<float>, Fn.Maximum<int>, Fn.Maximum<long>>("maximum", a, b, destination);
}
