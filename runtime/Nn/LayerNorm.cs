namespace DyCompile.Runtime.Nn;

/// <summary>Normalizes over the trailing <c>normalizedShape</c> dimensions, as torch.nn.LayerNorm.</summary>
public sealed class LayerNorm : Module
{
    private readonly Tensor _ones;
    private readonly Tensor _zeros;

    public LayerNorm(int normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
        : this([normalizedShape], eps, elementwiseAffine) { }

    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d < 1))
            throw new ArgumentException($"normalized shape must be non-empty and positive, got {Shapes.Format(normalizedShape)}", nameof(normalizedShape));
        NormalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        _ones = Tensor.Full(1f, NormalizedShape);
        _zeros = Tensor.Zeros(NormalizedShape);
        if (elementwiseAffine)
        {
            RegisterParameter("weight", Tensor.Full(1f, NormalizedShape));
            RegisterParameter("bias", Tensor.Zeros(NormalizedShape));
        }
    }

    public int[] NormalizedShape { get; }

    public float Eps { get; }

    public Tensor? Weight => GetOrNull("weight");

    public Tensor? Bias => GetOrNull("bias");

    /// <summary>The scale the kernel applies: <see cref="Weight"/>, or ones without affine parameters.</summary>
    [KernelArgument("weight")]
    public Tensor WeightOrOnes => Weight ?? _ones;

    /// <summary>The shift the kernel applies: <see cref="Bias"/>, or zeros without affine parameters.</summary>
    [KernelArgument("bias")]
    public Tensor BiasOrZeros => Bias ?? _zeros;

    [LowersTo("layer_norm")]
    public Tensor Forward(Tensor input) => TensorOps.LayerNorm(input, Weight ?? _ones, Bias ?? _zeros, Eps);
}
