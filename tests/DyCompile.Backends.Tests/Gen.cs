using DyCompile.Runtime;

namespace DyCompile.Backends.Tests;

/// <summary>Seeded random tensors.</summary>
internal sealed class Gen(int seed)
{
    private readonly Random _random = new(seed);

    public Tensor Normal(params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        foreach (ref var v in t.Floats)
            v = (float)(Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble()));
        return t;
    }

    /// <summary>Uniform in [low, high).</summary>
    public Tensor Uniform(float low, float high, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        foreach (ref var v in t.Floats) v = low + (float)_random.NextDouble() * (high - low);
        return t;
    }

    public Tensor Int64(int below, params int[] shape)
    {
        var data = new long[Shapes.ElementCount(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = _random.Next(below);
        return Tensor.FromArray(data, shape);
    }

    public Tensor Int32(int below, params int[] shape)
    {
        var data = new int[Shapes.ElementCount(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = _random.Next(below);
        return Tensor.FromArray(data, shape);
    }

    public Tensor Bool(params int[] shape)
    {
        var data = new bool[Shapes.ElementCount(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = _random.Next(2) == 1;
        return Tensor.FromArray(data, shape);
    }

    public float Float(float low, float high) => low + (float)_random.NextDouble() * (high - low);
}
