using System.Numerics.Tensors;

namespace DyCompile.Runtime;

/// <summary>Unary elementwise ops. Each has an allocating kernel and an <c>...Into</c> form that
/// writes a caller-owned destination of the same shape and dtype (it may be the operand
/// itself: every loop reads an element before writing it).</summary>
public static partial class TensorOps
{
    [OpKernel("neg")]
    public static Tensor Neg(Tensor x) => UnaryKernels.UnaryResult(x, NegInto);

    public static void NegInto(Tensor x, Tensor destination)
    {
        OperandChecks.Destination("neg", destination, x.DType, x.Shape);
        switch (x.DType)
        {
            case DType.Float32: TensorPrimitives.Negate<float>(x.Floats, destination.Floats); break;
            case DType.Int32: TensorPrimitives.Negate<int>(x.Ints, destination.Ints); break;
            case DType.Int64: TensorPrimitives.Negate<long>(x.Longs, destination.Longs); break;
            default: throw OperandChecks.UnsupportedDType("neg", x.DType, "f32, i32, i64");
        }
    }

    [OpKernel("abs")]
    public static Tensor Abs(Tensor x) => UnaryKernels.UnaryResult(x, AbsInto);

    public static void AbsInto(Tensor x, Tensor destination)
    {
        OperandChecks.Destination("abs", destination, x.DType, x.Shape);
        switch (x.DType)
        {
            case DType.Float32:
                TensorPrimitives.Abs<float>(x.Floats, destination.Floats);
                break;
            case DType.Int32:
                {
                    // Wraps at int.MinValue like PyTorch, where TensorPrimitives.Abs would throw.
                    ReadOnlySpan<int> s = x.Ints;
                    var d = destination.Ints;
                    for (var i = 0; i < s.Length; i++) d[i] = s[i] < 0 ? unchecked(-s[i]) : s[i];
                    break;
                }
            case DType.Int64:
                {
                    ReadOnlySpan<long> s = x.Longs;
                    var d = destination.Longs;
                    for (var i = 0; i < s.Length; i++) d[i] = s[i] < 0 ? unchecked(-s[i]) : s[i];
                    break;
                }
            default:
                throw OperandChecks.UnsupportedDType("abs", x.DType, "f32, i32, i64");
        }
    }

    [OpKernel("exp")]
    public static Tensor Exp(Tensor x) => UnaryKernels.FloatUnaryResult("exp", x, ExpInto);

    public static void ExpInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("exp", x, destination);
        TensorPrimitives.Exp<float>(x.Floats, destination.Floats);
    }

    [OpKernel("log")]
    public static Tensor Log(Tensor x) => UnaryKernels.FloatUnaryResult("log", x, LogInto);

    public static void LogInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("log", x, destination);
        TensorPrimitives.Log<float>(x.Floats, destination.Floats);
    }

    [OpKernel("sqrt")]
    public static Tensor Sqrt(Tensor x) => UnaryKernels.FloatUnaryResult("sqrt", x, SqrtInto);

    public static void SqrtInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("sqrt", x, destination);
        TensorPrimitives.Sqrt<float>(x.Floats, destination.Floats);
    }

    [OpKernel("rsqrt")]
    public static Tensor Rsqrt(Tensor x) => UnaryKernels.FloatUnaryResult("rsqrt", x, RsqrtInto);

    public static void RsqrtInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("rsqrt", x, destination);
        TensorPrimitives.ReciprocalSqrt<float>(x.Floats, destination.Floats);
    }

    [OpKernel("tanh")]
    public static Tensor Tanh(Tensor x) => UnaryKernels.FloatUnaryResult("tanh", x, TanhInto);

    public static void TanhInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("tanh", x, destination);
        SpecialFunctions.Tanh(x.Floats, destination.Floats);
    }

    [OpKernel("sigmoid")]
    public static Tensor Sigmoid(Tensor x) => UnaryKernels.FloatUnaryResult("sigmoid", x, SigmoidInto);

    public static void SigmoidInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("sigmoid", x, destination);
        // TensorPrimitives.Sigmoid refuses an empty span; an empty tensor has nothing to compute.
        if (x.Floats.IsEmpty) return;
        TensorPrimitives.Sigmoid<float>(x.Floats, destination.Floats);
    }

    /// <summary>max(x, 0); NaN stays NaN (as in PyTorch). Integer tensors are accepted too.</summary>
    [OpKernel("relu")]
    public static Tensor Relu(Tensor x) => UnaryKernels.UnaryResult(x, ReluInto);

    public static void ReluInto(Tensor x, Tensor destination)
    {
        OperandChecks.Destination("relu", destination, x.DType, x.Shape);
        switch (x.DType)
        {
            case DType.Float32: TensorPrimitives.Max<float>(x.Floats, 0f, destination.Floats); break;
            case DType.Int32: TensorPrimitives.Max<int>(x.Ints, 0, destination.Ints); break;
            case DType.Int64: TensorPrimitives.Max<long>(x.Longs, 0L, destination.Longs); break;
            default: throw OperandChecks.UnsupportedDType("relu", x.DType, "f32, i32, i64");
        }
    }

    /// <summary>Exact (erf) GELU: 0.5·x·(1 + erf(x/√2)).</summary>
    [OpKernel("gelu")]
    public static Tensor Gelu(Tensor x) => UnaryKernels.FloatUnaryResult("gelu", x, GeluInto);

    public static void GeluInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("gelu", x, destination);
        GeluMath.Gelu(x, destination);
    }

    /// <summary>SiLU (swish): x·sigmoid(x).</summary>
    [OpKernel("silu")]
    public static Tensor Silu(Tensor x) => UnaryKernels.FloatUnaryResult("silu", x, SiluInto);

    public static void SiluInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("silu", x, destination);
        ReadOnlySpan<float> s = x.Floats;
        var d = destination.Floats;
        // Chunks through a stack buffer keep both steps vectorized and leave x readable when
        // the destination is x itself.
        const int chunk = 512;
        Span<float> sigmoid = stackalloc float[chunk];
        for (var start = 0; start < s.Length; start += chunk)
        {
            var n = Math.Min(chunk, s.Length - start);
            var sg = sigmoid[..n];
            TensorPrimitives.Sigmoid(s.Slice(start, n), sg);
            TensorPrimitives.Multiply(s.Slice(start, n), sg, d.Slice(start, n));
        }
    }

    /// <summary>min(max(x, min), max), as torch.clamp: a NaN element stays NaN, and when
    /// min &gt; max every element becomes max.</summary>
    [OpKernel("clamp")]
    public static Tensor Clamp(Tensor x, float min, float max)
    {
        OperandChecks.RequireFloat("clamp", x);
        var result = Tensor.Zeros(DType.Float32, x.ShapeArray());
        ClampInto(x, min, max, result);
        return result;
    }

    public static void ClampInto(Tensor x, float min, float max, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("clamp", x, destination);
        var d = destination.Floats;
        TensorPrimitives.Max<float>(x.Floats, min, d);
        TensorPrimitives.Min<float>(d, max, d);
    }
}

/// <summary>Allocation and validation shared by the unary kernels.</summary>
internal static class UnaryKernels
{
    public static Tensor UnaryResult(Tensor x, Action<Tensor, Tensor> into)
    {
        var result = Tensor.Zeros(x.DType, x.ShapeArray());
        into(x, result);
        return result;
    }

    public static Tensor FloatUnaryResult(string op, Tensor x, Action<Tensor, Tensor> into)
    {
        OperandChecks.RequireFloat(op, x);
        var result = Tensor.Zeros(DType.Float32, x.ShapeArray());
        into(x, result);
        return result;
    }

    public static void CheckFloatUnary(string op, Tensor x, Tensor destination)
    {
        OperandChecks.RequireFloat(op, x);
        OperandChecks.Destination(op, destination, DType.Float32, x.Shape);
    }
}
