using System.Numerics;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace DyCompile.Benchmarks;

/// <summary>relu(x·a + b) over 1M floats: three separate elementwise passes (what three eager
/// kernel calls do: each reads and writes the whole array) against one fused loop that reads
/// x once and writes the result once. The gap is what operator fusion buys on memory-bound
/// code.</summary>
public class FusionBenchmarks
{
    private const int Length = 1 << 20;
    private readonly float[] _x = new float[Length];
    private readonly float[] _a = new float[Length];
    private readonly float[] _b = new float[Length];
    private readonly float[] _t1 = new float[Length];
    private readonly float[] _t2 = new float[Length];
    private readonly float[] _y = new float[Length];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3);
        for (var i = 0; i < Length; i++)
        {
            _x[i] = (float)rng.NextDouble() - 0.5f;
            _a[i] = (float)rng.NextDouble();
            _b[i] = (float)rng.NextDouble() - 0.5f;
        }
    }

    /// <summary>mul, add and relu as separate passes with a temporary per op, as eager kernels
    /// run them (allocation excluded: the temporaries are preallocated).</summary>
    [Benchmark(Baseline = true)]
    public void Unfused()
    {
        TensorPrimitives.Multiply(_x, _a, _t1);
        TensorPrimitives.Add(_t1, _b, _t2);
        TensorPrimitives.Max(_t2, 0f, _y);
    }

    [Benchmark]
    public void HandFused()
    {
        var width = Vector<float>.Count;
        var i = 0;
        for (; i <= Length - width; i += width)
        {
            var v = new Vector<float>(_x, i) * new Vector<float>(_a, i) + new Vector<float>(_b, i);
            Vector.Max(v, Vector<float>.Zero).CopyTo(_y, i);
        }
        for (; i < Length; i++) _y[i] = MathF.Max(_x[i] * _a[i] + _b[i], 0f);
    }
}
