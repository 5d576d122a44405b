using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Testing;

/// <summary>
/// Random f32 values for soundness checks: mostly small, with ±0, integers, large magnitudes (up to
/// 1e4) and, when the rule claims to keep them, NaN and ±Inf. A fast-math rule claims agreement on
/// moderate values only, so it gets those.
/// </summary>
public sealed class ValueSampler(Random random, bool nonFinite, bool moderate)
{
    public Tensor Sample(TensorType type)
    {
        var shape = type.Shape.ToArray();
        var values = new float[shape.Aggregate(1, (n, d) => n * d)];
        for (var i = 0; i < values.Length; i++) values[i] = Next();
        return Tensor.FromArray(values, shape);
    }

    public float Next()
    {
        if (moderate) return (float)(random.NextDouble() * 4 - 2);
        return random.Next(20) switch
        {
            0 => 0f,
            1 => -0f,
            2 or 3 => random.Next(-4, 5),
            4 or 5 => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(2, 5))),
            6 when nonFinite => float.NaN,
            7 when nonFinite => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
            _ => (float)(random.NextDouble() * 6 - 3),
        };
    }
}
