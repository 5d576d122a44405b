namespace DyCompile.Runtime.Nn;

/// <summary>Seeded parameter initializers with PyTorch's default distributions. A model passes
/// one <see cref="Random"/> to all its layers, so the same seed gives the same weights.</summary>
public static class Init
{
    /// <summary>Seed used when a layer is built without a generator.</summary>
    public const int DefaultSeed = 0;

    public static Random Generator(Random? generator) => generator ?? new Random(DefaultSeed);

    /// <summary>Uniform(-bound, bound): PyTorch's default for linear, convolution and recurrent
    /// weights and biases, with bound = 1/√fan_in.</summary>
    public static Tensor Uniform(Random generator, float bound, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        foreach (ref var v in t.Floats) v = (float)((generator.NextDouble() * 2 - 1) * bound);
        return t;
    }

    /// <summary>Normal(0, 1) by the Box–Muller transform: PyTorch's default for embeddings.</summary>
    public static Tensor StandardNormal(Random generator, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        foreach (ref var v in t.Floats)
        {
            var u1 = 1.0 - generator.NextDouble(); // in (0, 1], so the log is finite
            var u2 = generator.NextDouble();
            v = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return t;
    }

    public static float FanInBound(int fanIn) => fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
}
