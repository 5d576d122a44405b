namespace DyCompile.Runtime.Nn;

/// <summary>2-D convolution over NCHW input, as torch.nn.Conv2d: weight
/// [out, in/groups, kh, kw], bias [out].</summary>
public sealed class Conv2d : Module
{
    private readonly Tensor _zeroBias;

    /// <summary>A square kernel with the same stride, padding and dilation in both directions.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true, Random? generator = null)
        : this(inChannels, outChannels, [kernelSize, kernelSize], [stride, stride], [padding, padding], [dilation, dilation], groups, bias, generator) { }

    /// <summary>Per-direction sizes: each array holds [height, width].</summary>
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups = 1, bool bias = true, Random? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"channels in {inChannels} and out {outChannels} must both be divisible by groups {groups}", nameof(groups));
        KernelSize = Pair(kernelSize, nameof(kernelSize), 1);
        Stride = Pair(stride, nameof(stride), 1);
        Padding = Pair(padding, nameof(padding), 0);
        Dilation = Pair(dilation, nameof(dilation), 1);
        InChannels = inChannels;
        OutChannels = outChannels;
        Groups = groups;
        var random = Init.Generator(generator);
        var bound = Init.FanInBound(inChannels / groups * KernelSize[0] * KernelSize[1]);
        RegisterParameter("weight", Init.Uniform(random, bound, outChannels, inChannels / groups, KernelSize[0], KernelSize[1]));
        if (bias) RegisterParameter("bias", Init.Uniform(random, bound, outChannels));
        _zeroBias = Tensor.Zeros(outChannels);
    }

    private static int[] Pair(int[] values, string name, int min)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Length != 2 || values[0] < min || values[1] < min)
            throw new ArgumentException($"{name} must be [height, width], each at least {min}; got {Shapes.Format(values)}", name);
        return (int[])values.Clone();
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int[] KernelSize { get; }

    public int[] Stride { get; }

    public int[] Padding { get; }

    public int[] Dilation { get; }

    public int Groups { get; }

    public Tensor Weight => Get("weight");

    public Tensor? Bias => GetOrNull("bias");

    /// <summary>The bias the kernel adds: <see cref="Bias"/>, or zeros when the layer has none.</summary>
    [KernelArgument("bias")]
    public Tensor BiasOrZeros => Bias ?? _zeroBias;

    [LowersTo("conv2d")]
    public Tensor Forward(Tensor input) =>
        TensorOps.Conv2d(input, Weight, Bias ?? _zeroBias, Stride, Padding, Dilation, Groups);
}
