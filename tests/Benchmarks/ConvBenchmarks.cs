using BenchmarkDotNet.Attributes;
using DyCompile.Runtime;

namespace DyCompile.Benchmarks;

/// <summary>A ResNet stage-1 convolution: N=1, 64→64 channels, 3×3, 56×56, padding 1.</summary>
public class ConvBenchmarks : IFlopCounted
{
    private const int Channels = 64, Side = 56, Kernel = 3;
    private Tensor _input = Tensor.Zeros(0);
    private Tensor _weight = Tensor.Zeros(0);
    private Tensor _bias = Tensor.Zeros(0);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        _input = Tensor.FromArray(Random(Channels * Side * Side), 1, Channels, Side, Side);
        _weight = Tensor.FromArray(Random(Channels * Channels * Kernel * Kernel), Channels, Channels, Kernel, Kernel);
        _bias = Tensor.FromArray(Random(Channels), Channels);
    }

    [Benchmark]
    public Tensor ResNetConv3x3() => TensorOps.Conv2d(_input, _weight, _bias, [1], [1], [1], 1);

    public double Flops(string method) => 2.0 * Channels * Side * Side * Channels * Kernel * Kernel;
}
