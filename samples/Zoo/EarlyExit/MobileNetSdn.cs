using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.EarlyExit;

/// <summary>MobileNet (v1, CIFAR layout) as a Shallow-Deep Network: a 32-channel stem, 13
/// depthwise-separable blocks of widths 64, 128/2, 128, 256/2, 256, 512/2, 512 ×5, 1024/2, 1024
/// ("/2": stride 2), internal classifiers after blocks 3, 5, 7, 9 and 12 (SDN's add_ic =
/// [0,0,1,0,1,0,1,0,1,0,0,1,0]), global average pooling and a linear classifier. Exits at the
/// first classifier whose top softmax probability reaches the threshold (0.5).</summary>
public sealed class MobileNetSdn : ZooModel
{
    private static readonly (int Channels, int Stride)[] _blocks =
        [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)];
    private static readonly bool[] _exitAfter = [false, false, true, false, true, false, true, false, true, false, false, true, false];

    private readonly SdnConfig _config;

    public MobileNetSdn(SdnConfig? config = null)
    {
        _config = config ?? new SdnConfig();
        var random = new Random(_config.Seed);
        var inChannels = _config.Width(32);
        Stem = RegisterModule("stem", new ConvBn(3, inChannels, 3, 1, 1, random));
        Blocks = RegisterModule("blocks", new ModuleList<SeparableBlock>());
        Exits = RegisterModule("exits", new ModuleList<InternalClassifier>());
        var size = _config.InputSize;
        for (var i = 0; i < _blocks.Length; i++)
        {
            var (published, stride) = _blocks[i];
            var channels = _config.Width(published);
            Blocks.Add(new SeparableBlock(inChannels, channels, stride, random));
            size = (size + stride - 1) / stride;
            if (_exitAfter[i]) Exits.Add(new InternalClassifier(size, channels, _config.NumClasses, random));
            inChannels = channels;
        }
        Classifier = RegisterModule("classifier", new Linear(inChannels, _config.NumClasses, generator: random));
        KaimingInit.ApplyToConvolutions(this, random);
    }

    public ConvBn Stem { get; }

    public ModuleList<SeparableBlock> Blocks { get; }

    public ModuleList<InternalClassifier> Exits { get; }

    public Linear Classifier { get; }

    /// <summary>Logits and the exit taken: 0…4 for the internal classifiers, 5 for the final one.</summary>
    public (Tensor Logits, int Exit) Forward(Tensor x)
    {
        x = Stem.Forward(x).Relu();
        var exit = 0;
        for (var i = 0; i < Blocks.Count; i++)
        {
            x = Blocks[i].Forward(x);
            if (_exitAfter[i])
            {
                var logits = Exits[exit].Forward(x);
                if (logits.Softmax(1).Max().Item() >= _config.Threshold) return (logits, exit);
                exit++;
            }
        }
        var pooled = TensorOps.AdaptiveAvgPool2d(x, [1, 1]).Reshape(x.Dim(0), -1);
        return (Classifier.Forward(pooled), exit);
    }

    public override Tensor SampleInput(Random random) => ZooInputs.Image(random, 3, _config.InputSize);

    public override ZooRun Run(Tensor input)
    {
        var (logits, exit) = Forward(input);
        return new ZooRun(logits, $"exit {exit}");
    }
}

/// <summary>A depthwise 3×3 convolution (stride s) and a pointwise 1×1 convolution, each followed
/// by batch norm and ReLU.</summary>
public sealed class SeparableBlock : Module
{
    public SeparableBlock(int inChannels, int outChannels, int stride, Random random)
    {
        Depthwise = RegisterModule("depthwise", new ConvBn(inChannels, inChannels, 3, stride, 1, random, groups: inChannels));
        Pointwise = RegisterModule("pointwise", new ConvBn(inChannels, outChannels, 1, 1, 0, random));
    }

    public ConvBn Depthwise { get; }

    public ConvBn Pointwise { get; }

    public Tensor Forward(Tensor x) => Pointwise.Forward(Depthwise.Forward(x).Relu()).Relu();
}
