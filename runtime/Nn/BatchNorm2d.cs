namespace DyCompile.Runtime.Nn;

/// <summary>Inference-mode batch normalization over the channel dimension of NCHW input, with
/// torch.nn.BatchNorm2d's state: weight, bias, running_mean, running_var, num_batches_tracked.</summary>
public sealed class BatchNorm2d : Module
{
    private readonly Tensor _ones;
    private readonly Tensor _zeros;

    public BatchNorm2d(int numFeatures, float eps = 1e-5f, bool affine = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        NumFeatures = numFeatures;
        Eps = eps;
        _ones = Tensor.Full(1f, numFeatures);
        _zeros = Tensor.Zeros(numFeatures);
        if (affine)
        {
            RegisterParameter("weight", Tensor.Full(1f, numFeatures));
            RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
        RegisterBuffer("running_var", Tensor.Full(1f, numFeatures));
        // Only training updates it; it is kept so PyTorch state dicts round-trip.
        RegisterBuffer("num_batches_tracked", Tensor.Scalar(0L), optionalOnLoad: true);
    }

    public int NumFeatures { get; }

    public float Eps { get; }

    public Tensor? Weight => GetOrNull("weight");

    public Tensor? Bias => GetOrNull("bias");

    public Tensor RunningMean => Get("running_mean");

    public Tensor RunningVar => Get("running_var");

    /// <summary>The scale the kernel applies: <see cref="Weight"/>, or ones without affine parameters.</summary>
    [KernelArgument("weight")]
    public Tensor WeightOrOnes => Weight ?? _ones;

    /// <summary>The shift the kernel applies: <see cref="Bias"/>, or zeros without affine parameters.</summary>
    [KernelArgument("bias")]
    public Tensor BiasOrZeros => Bias ?? _zeros;

    [LowersTo("batch_norm")]
    public Tensor Forward(Tensor input)
    {
        if (input.Rank != 4)
            throw new TensorOpException("batch_norm", $"BatchNorm2d expects NCHW input, got shape {Shapes.Format(input.Shape)}");
        return TensorOps.BatchNorm(input, RunningMean, RunningVar, Weight ?? _ones, Bias ?? _zeros, Eps);
    }
}
