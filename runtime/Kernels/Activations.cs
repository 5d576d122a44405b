namespace DyCompile.Runtime;

/// <summary>The activations of PyTorch models beyond relu/gelu/silu, each computed per element in
/// double (or with its accurate single-precision form) as the reference the fused loops and the
/// ONNX export are held to. Each has an <c>...Into</c> form whose destination may be the operand.</summary>
public static partial class TensorOps
{
    /// <summary>softplus as PyTorch's default (beta = 1, threshold = 20): log(1 + eˣ), and x itself above 20.</summary>
    [OpKernel("softplus")]
    public static Tensor Softplus(Tensor x) => UnaryKernels.FloatUnaryResult("softplus", x, SoftplusInto);

    public static void SoftplusInto(Tensor x, Tensor destination) => Activation.Map("softplus", x, destination, static v => v > 20f ? v : (float)Activation.LogOnePlus(Math.Exp(v)));

    /// <summary>mish: x·tanh(softplus(x)), with PyTorch's softplus of beta 1 and no threshold.</summary>
    [OpKernel("mish")]
    public static Tensor Mish(Tensor x) => UnaryKernels.FloatUnaryResult("mish", x, MishInto);

    public static void MishInto(Tensor x, Tensor destination) => Activation.Map("mish", x, destination, static v => (float)(v * Math.Tanh(Activation.LogOnePlus(Math.Exp(v)))));

    /// <summary>hardswish: x·min(max(x + 3, 0), 6)/6, as PyTorch computes it.</summary>
    [OpKernel("hardswish")]
    public static Tensor Hardswish(Tensor x) => UnaryKernels.FloatUnaryResult("hardswish", x, HardswishInto);

    public static void HardswishInto(Tensor x, Tensor destination) => Activation.Map("hardswish", x, destination, static v => v * MathF.Min(MathF.Max(v + 3f, 0f), 6f) / 6f);

    /// <summary>hardsigmoid: min(max(x + 3, 0), 6)/6, as PyTorch computes it.</summary>
    [OpKernel("hardsigmoid")]
    public static Tensor Hardsigmoid(Tensor x) => UnaryKernels.FloatUnaryResult("hardsigmoid", x, HardsigmoidInto);

    public static void HardsigmoidInto(Tensor x, Tensor destination) => Activation.Map("hardsigmoid", x, destination, static v => MathF.Min(MathF.Max(v + 3f, 0f), 6f) / 6f);

    /// <summary>leaky_relu: x where x &gt; 0, else x·negativeSlope (PyTorch's <c>negative_slope</c>, default 0.01).</summary>
    [OpKernel("leaky_relu")]
    public static Tensor LeakyRelu(Tensor x, float negativeSlope) => UnaryKernels.FloatUnaryResult("leaky_relu", x, (x, d) => LeakyReluInto(x, negativeSlope, d));

    public static void LeakyReluInto(Tensor x, float negativeSlope, Tensor destination) => Activation.Map("leaky_relu", x, destination, v => v > 0f ? v : v * negativeSlope);

    /// <summary>elu: x where x &gt; 0, else alpha·(eˣ − 1).</summary>
    [OpKernel("elu")]
    public static Tensor Elu(Tensor x, float alpha) => UnaryKernels.FloatUnaryResult("elu", x, (x, d) => EluInto(x, alpha, d));

    public static void EluInto(Tensor x, float alpha, Tensor destination) => Activation.Map("elu", x, destination, v => v > 0f ? v : (float)(alpha * Activation.ExpMinusOne(v)));

    /// <summary>The error function, evaluated in double.</summary>
    [OpKernel("erf")]
    public static Tensor Erf(Tensor x) => UnaryKernels.FloatUnaryResult("erf", x, ErfInto);

    public static void ErfInto(Tensor x, Tensor destination) => Activation.Map("erf", x, destination, static v => ErrorFunction.Erf(v));

    /// <summary>sin of each element (radians).</summary>
    [OpKernel("sin")]
    public static Tensor Sin(Tensor x) => UnaryKernels.FloatUnaryResult("sin", x, SinInto);

    public static void SinInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("sin", x, destination);
        System.Numerics.Tensors.TensorPrimitives.Sin<float>(x.Floats, destination.Floats);
    }

    /// <summary>cos of each element (radians).</summary>
    [OpKernel("cos")]
    public static Tensor Cos(Tensor x) => UnaryKernels.FloatUnaryResult("cos", x, CosInto);

    public static void CosInto(Tensor x, Tensor destination)
    {
        UnaryKernels.CheckFloatUnary("cos", x, destination);
        System.Numerics.Tensors.TensorPrimitives.Cos<float>(x.Floats, destination.Floats);
    }
}

/// <summary>The per-element loop and double-precision helpers of the activation kernels.</summary>
internal static class Activation
{
    public static void Map(string op, Tensor x, Tensor destination, Func<float, float> f)
    {
        UnaryKernels.CheckFloatUnary(op, x, destination);
        ReadOnlySpan<float> s = x.Floats;
        var d = destination.Floats;
        for (var i = 0; i < s.Length; i++) d[i] = f(s[i]);
    }

    /// <summary>log(1 + x) in double, with the rounding of 1 + x corrected (it is x itself below rounding).</summary>
    public static double LogOnePlus(double x)
    {
        var u = 1.0 + x;
        return u == 1.0 ? x : double.IsPositiveInfinity(u) ? u : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>eˣ − 1 in double, from its series where exp would round it away.</summary>
    public static double ExpMinusOne(double x) => Math.Abs(x) < 1e-5 ? x + 0.5 * x * x : Math.Exp(x) - 1.0;
}
