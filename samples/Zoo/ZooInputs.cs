using DyCompile.Runtime;

namespace DyCompile.Zoo;

/// <summary>Random inputs for the zoo models.</summary>
public static class ZooInputs
{
    /// <summary>A [1, channels, size, size] image of standard normal pixels times a scale drawn
    /// log-uniformly from [10^minLog10, 10^maxLog10]. The networks are (nearly) positively
    /// homogeneous, so the scale sweeps the confidence of their classifiers from uniform to
    /// certain and different inputs leave at different exits.</summary>
    public static Tensor Image(Random random, int channels, int size, double minLog10 = -1, double maxLog10 = 1.5)
    {
        var scale = (float)Math.Pow(10, minLog10 + random.NextDouble() * (maxLog10 - minLog10));
        var t = Tensor.Zeros(1, channels, size, size);
        foreach (ref var v in t.Floats) v = Normal(random) * scale;
        return t;
    }

    /// <summary>A [1, length] i64 tensor of token ids in [low, vocab).</summary>
    public static Tensor Tokens(Random random, int length, int vocab, int low = 0)
    {
        var ids = new long[length];
        for (var i = 0; i < length; i++) ids[i] = random.Next(low, vocab);
        return Tensor.FromArray(ids, 1, length);
    }

    public static float Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
