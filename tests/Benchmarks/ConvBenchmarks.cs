using System.Linq.Expressions;
using System.Reflection;
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

/// <summary>One convolution layer of the CIFAR/ImageNet zoo (batch 1, square planes).</summary>
public sealed record ConvLayer(string Name, int InChannels, int OutChannels, int Side, int Kernel, int Stride, int Padding, int Groups)
{
    public static readonly ConvLayer[] Zoo =
    [
        new("3x3 16->16 32x32", 16, 16, 32, 3, 1, 1, 1),
        new("3x3 32->32 16x16", 32, 32, 16, 3, 1, 1, 1),
        new("3x3 64->64 8x8", 64, 64, 8, 3, 1, 1, 1),
        new("3x3 64->64 32x32", 64, 64, 32, 3, 1, 1, 1),
        new("3x3 128->128 16x16", 128, 128, 16, 3, 1, 1, 1),
        new("3x3 256->256 8x8", 256, 256, 8, 3, 1, 1, 1),
        new("3x3 64->128 s2 32x32", 64, 128, 32, 3, 2, 1, 1),
        new("3x3 16->32 s2 32x32", 16, 32, 32, 3, 2, 1, 1),
        new("3x3 64->64 56x56", 64, 64, 56, 3, 1, 1, 1),
        new("3x3 64->64 224x224", 64, 64, 224, 3, 1, 1, 1),
        new("3x3 256->256 28x28", 256, 256, 28, 3, 1, 1, 1),
        new("3x3 512->512 14x14", 512, 512, 14, 3, 1, 1, 1),
        new("3x3 512->512 4x4", 512, 512, 4, 3, 1, 1, 1),
        new("3x3 512->512 2x2", 512, 512, 2, 3, 1, 1, 1),
        new("7x7 3->64 s2 224x224", 3, 64, 224, 7, 2, 3, 1),
        new("3x3 3->64 224x224", 3, 64, 224, 3, 1, 1, 1),
        new("3x3 3->32 224x224", 3, 32, 224, 3, 1, 1, 1),
        new("3x3 16->64 32x32", 16, 64, 32, 3, 1, 1, 1),
        new("dw 3x3 32ch 112x112", 32, 32, 112, 3, 1, 1, 32),
        new("dw 3x3 512ch 14x14", 512, 512, 14, 3, 1, 1, 512),
        new("1x1 64->64 8x8", 64, 64, 8, 1, 1, 0, 1),
        new("1x1 32->64 112x112", 32, 64, 112, 1, 1, 0, 1),
        new("1x1 32->64 224x224", 32, 64, 224, 1, 1, 0, 1),
        new("1x1 64->128 112x112", 64, 128, 112, 1, 1, 0, 1),
        new("1x1 64->128 56x56", 64, 128, 56, 1, 1, 0, 1),
        new("1x1 128->128 56x56", 128, 128, 56, 1, 1, 0, 1),
        new("1x1 256->256 28x28", 256, 256, 28, 1, 1, 0, 1),
        new("1x1 1024->1024 7x7", 1024, 1024, 7, 1, 1, 0, 1),
        new("1x1 64->256 56x56", 64, 256, 56, 1, 1, 0, 1),
        new("1x1 512->512 14x14", 512, 512, 14, 1, 1, 0, 1),
        new("1x1 512->512 28x28", 512, 512, 28, 1, 1, 0, 1),
        new("1x1 1024->1024 14x14", 1024, 1024, 14, 1, 1, 0, 1),
        new("1x1 64->128 s2 56x56", 64, 128, 56, 1, 2, 0, 1),
    ];

    public int OutSide => (Side + 2 * Padding - Kernel) / Stride + 1;

    public double Flops => 2.0 * OutChannels * OutSide * OutSide * (InChannels / Groups) * Kernel * Kernel;

    public override string ToString() => Name;
}

/// <summary>A zoo layer's operands and a destination, and the convolution run several ways: on the
/// im2col + GEMM kernel (the one it replaced), on the direct kernel, on the pointwise kernel, and
/// as the public operation chooses. The kernel choice is internal to the runtime, so it is reached through a compiled
/// expression.</summary>
public sealed class ConvLayerRun
{
    private static readonly MethodInfo _fusedWith = typeof(TensorOps).GetMethod("Conv2dFusedWith", BindingFlags.NonPublic | BindingFlags.Static)
        ?? throw new InvalidOperationException("TensorOps.Conv2dFusedWith not found");

    private readonly Tensor _input, _weight, _bias, _destination;
    private readonly int[] _stride, _padding;

    public ConvLayerRun(ConvLayer layer)
    {
        Layer = layer;
        var rng = new Random(3);
        Tensor Random(params int[] shape) =>
            Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(), shape);
        _input = Random(1, layer.InChannels, layer.Side, layer.Side);
        _weight = Random(layer.OutChannels, layer.InChannels / layer.Groups, layer.Kernel, layer.Kernel);
        _bias = Random(layer.OutChannels);
        _destination = Tensor.Zeros(1, layer.OutChannels, layer.OutSide, layer.OutSide);
        _stride = [layer.Stride];
        _padding = [layer.Padding];
        Im2ColGemm = Pinned("Im2ColGemm");
        Direct = Pinned("Direct");
        DirectOneCore = Pinned("Direct", threads: 1);
        ChannelVector = Pinned("ChannelVector");
        Pointwise = Pinned("Pointwise");
    }

    public ConvLayer Layer { get; }

    /// <summary>The convolution on the im2col + GEMM kernel.</summary>
    public Action Im2ColGemm { get; }

    /// <summary>The convolution on the direct kernel.</summary>
    public Action Direct { get; }

    /// <summary>The convolution on the 16-channel × 16-pixel AVX-512 tile where it covers the layer.</summary>
    public Action ChannelVector { get; }

    /// <summary>The convolution on the direct kernel, on the calling thread alone.</summary>
    public Action DirectOneCore { get; }

    /// <summary>The convolution on the pointwise kernel (the direct kernel for shapes it does not cover).</summary>
    public Action Pointwise { get; }

    /// <summary>Whether the pointwise kernel covers the layer (1×1, unit stride, no padding, one group).</summary>
    public bool IsPointwise => Layer is { Kernel: 1, Stride: 1, Padding: 0, Groups: 1 };

    /// <summary>The public operation (its own kernel choice).</summary>
    public void Auto() => TensorOps.Conv2dInto(_input, _weight, _bias, _stride, _padding, [1], Layer.Groups, _destination);

    private Action Pinned(string algorithm, int? threads = null)
    {
        var kind = _fusedWith.GetParameters()[10].ParameterType;
        var call = Expression.Call(_fusedWith,
            Expression.Constant(_input), Expression.Constant(_weight), Expression.Constant(_bias), Expression.Constant(null, typeof(Tensor)),
            Expression.Constant(false), Expression.Constant(_stride), Expression.Constant(_padding), Expression.Constant(new[] { 1 }),
            Expression.Constant(Layer.Groups), Expression.Constant(_destination), Expression.Constant(Enum.Parse(kind, algorithm)),
            Expression.Constant(threads ?? Environment.ProcessorCount));
        return Expression.Lambda<Action>(call).Compile();
    }
}

/// <summary>The zoo layers, old kernel against the public operation.</summary>
public class ConvLayerBenchmarks : IFlopCounted
{
    private ConvLayerRun? _run;

    [ParamsSource(nameof(Layers))]
    public ConvLayer Layer { get; set; } = ConvLayer.Zoo[0];

    public static IEnumerable<ConvLayer> Layers => ConvLayer.Zoo;

    [GlobalSetup]
    public void Setup() => _run = new ConvLayerRun(Layer);

    [Benchmark(Baseline = true)]
    public void Im2ColGemm() => _run!.Im2ColGemm();

    [Benchmark]
    public void Conv2d() => _run!.Auto();

    public double Flops(string method) => Layer.Flops;
}
