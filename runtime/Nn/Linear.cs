namespace DyCompile.Runtime.Nn;

/// <summary>y = x·Wᵀ + b over the last dimension: weight [out, in], bias [out], as torch.nn.Linear.</summary>
public sealed class Linear : Module
{
    private readonly Tensor _zeroBias;

    public Linear(int inFeatures, int outFeatures, bool bias = true, Random? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var random = Init.Generator(generator);
        var bound = Init.FanInBound(inFeatures);
        RegisterParameter("weight", Init.Uniform(random, bound, outFeatures, inFeatures));
        if (bias) RegisterParameter("bias", Init.Uniform(random, bound, outFeatures));
        _zeroBias = Tensor.Zeros(outFeatures);
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Tensor Weight => Get("weight");

    public Tensor? Bias => GetOrNull("bias");

    /// <summary>The bias the kernel adds: <see cref="Bias"/>, or zeros when the layer has none.</summary>
    [KernelArgument("bias")]
    public Tensor BiasOrZeros => Bias ?? _zeroBias;

    [LowersTo("linear")]
    public Tensor Forward(Tensor x) => TensorOps.Linear(x, Weight, Bias ?? _zeroBias);
}
