namespace DyCompile.Runtime;

/// <summary>Arithmetic operators and instance-method sugar. Each member means exactly the op
/// named by its <see cref="LowersToAttribute"/> and forwards to that op's kernel; a float
/// operand is a rank-0 f32 tensor.</summary>
public sealed partial class Tensor
{
    [LowersTo("add")]
    public static Tensor operator +(Tensor a, Tensor b) => TensorOps.Add(a, b);

    [LowersTo("add")]
    public static Tensor operator +(Tensor a, float b) => TensorOps.Add(a, Scalar(b));

    [LowersTo("add")]
    public static Tensor operator +(float a, Tensor b) => TensorOps.Add(Scalar(a), b);

    [LowersTo("sub")]
    public static Tensor operator -(Tensor a, Tensor b) => TensorOps.Sub(a, b);

    [LowersTo("sub")]
    public static Tensor operator -(Tensor a, float b) => TensorOps.Sub(a, Scalar(b));

    [LowersTo("sub")]
    public static Tensor operator -(float a, Tensor b) => TensorOps.Sub(Scalar(a), b);

    [LowersTo("mul")]
    public static Tensor operator *(Tensor a, Tensor b) => TensorOps.Mul(a, b);

    [LowersTo("mul")]
    public static Tensor operator *(Tensor a, float b) => TensorOps.Mul(a, Scalar(b));

    [LowersTo("mul")]
    public static Tensor operator *(float a, Tensor b) => TensorOps.Mul(Scalar(a), b);

    [LowersTo("div")]
    public static Tensor operator /(Tensor a, Tensor b) => TensorOps.Div(a, b);

    [LowersTo("div")]
    public static Tensor operator /(Tensor a, float b) => TensorOps.Div(a, Scalar(b));

    [LowersTo("div")]
    public static Tensor operator /(float a, Tensor b) => TensorOps.Div(Scalar(a), b);

    [LowersTo("neg")]
    public static Tensor operator -(Tensor x) => TensorOps.Neg(x);

    [LowersTo("neg")]
    public Tensor Neg() => TensorOps.Neg(this);

    [LowersTo("abs")]
    public Tensor Abs() => TensorOps.Abs(this);

    [LowersTo("exp")]
    public Tensor Exp() => TensorOps.Exp(this);

    [LowersTo("log")]
    public Tensor Log() => TensorOps.Log(this);

    [LowersTo("sqrt")]
    public Tensor Sqrt() => TensorOps.Sqrt(this);

    [LowersTo("rsqrt")]
    public Tensor Rsqrt() => TensorOps.Rsqrt(this);

    [LowersTo("tanh")]
    public Tensor Tanh() => TensorOps.Tanh(this);

    [LowersTo("sigmoid")]
    public Tensor Sigmoid() => TensorOps.Sigmoid(this);

    [LowersTo("relu")]
    public Tensor Relu() => TensorOps.Relu(this);

    [LowersTo("gelu")]
    public Tensor Gelu() => TensorOps.Gelu(this);

    [LowersTo("silu")]
    public Tensor Silu() => TensorOps.Silu(this);

    [LowersTo("clamp")]
    public Tensor Clamp(float min, float max) => TensorOps.Clamp(this, min, max);

    [LowersTo("pow")]
    public Tensor Pow(float exponent) => TensorOps.Pow(this, Scalar(exponent));

    [LowersTo("cast")]
    public Tensor Cast(DType dtype) => TensorOps.Cast(this, dtype);

    [LowersTo("softmax")]
    public Tensor Softmax(int dim) => TensorOps.Softmax(this, dim);

    [LowersTo("log_softmax")]
    public Tensor LogSoftmax(int dim) => TensorOps.LogSoftmax(this, dim);

    /// <summary>Sum over <paramref name="dims"/> (none: all), dropping them.</summary>
    [LowersTo("sum")]
    public Tensor Sum(params int[] dims) => TensorOps.Sum(this, dims, keepdim: false);

    [LowersTo("sum")]
    public Tensor Sum(int[] dims, bool keepdim) => TensorOps.Sum(this, dims, keepdim);

    /// <summary>Mean over <paramref name="dims"/> (none: all), dropping them.</summary>
    [LowersTo("mean")]
    public Tensor Mean(params int[] dims) => TensorOps.Mean(this, dims, keepdim: false);

    [LowersTo("mean")]
    public Tensor Mean(int[] dims, bool keepdim) => TensorOps.Mean(this, dims, keepdim);

    /// <summary>Maximum over <paramref name="dims"/> (none: all), dropping them.</summary>
    [LowersTo("max")]
    public Tensor Max(params int[] dims) => TensorOps.Max(this, dims, keepdim: false);

    [LowersTo("max")]
    public Tensor Max(int[] dims, bool keepdim) => TensorOps.Max(this, dims, keepdim);

    /// <summary>Minimum over <paramref name="dims"/> (none: all), dropping them.</summary>
    [LowersTo("min")]
    public Tensor Min(params int[] dims) => TensorOps.Min(this, dims, keepdim: false);

    [LowersTo("min")]
    public Tensor Min(int[] dims, bool keepdim) => TensorOps.Min(this, dims, keepdim);

    [LowersTo("argmax")]
    public Tensor ArgMax(int dim, bool keepdim = false) => TensorOps.ArgMax(this, dim, keepdim);

    [LowersTo("argmin")]
    public Tensor ArgMin(int dim, bool keepdim = false) => TensorOps.ArgMin(this, dim, keepdim);
}
