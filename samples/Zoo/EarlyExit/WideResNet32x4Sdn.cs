using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.EarlyExit;

/// <summary>Wide ResNet-32-4 (3 groups of 5 pre-activation wide blocks, widths 64-128-256 after a
/// 16-channel stem) as a Shallow-Deep Network with internal classifiers after blocks 3 and 5 of
/// group 1, 2 and 4 of group 2, 1 and 3 of group 3 (SDN's add_ic). Exits at the first classifier
/// whose top softmax probability reaches the threshold (0.9 by default).</summary>
public sealed class WideResNet32x4Sdn : ZooModel
{
    private static readonly int[] _exitAfter = [2, 4, 6, 8, 10, 12];

    private readonly SdnConfig _config;

    public WideResNet32x4Sdn(SdnConfig? config = null)
    {
        _config = config ?? new SdnConfig(Threshold: 0.9f);
        var random = new Random(_config.Seed);
        var stem = _config.Width(16);
        Stem = RegisterModule("stem", new Conv2d(3, stem, 3, 1, 1, generator: random));
        Blocks = RegisterModule("blocks", new ModuleList<WideBlock>());
        var inChannels = stem;
        for (var g = 0; g < 3; g++)
            for (var b = 0; b < 5; b++)
            {
                var channels = _config.Width(64 << g);
                Blocks.Add(new WideBlock(inChannels, channels, g > 0 && b == 0 ? 2 : 1, random));
                inChannels = channels;
            }
        Exits = RegisterModule("exits", new ModuleList<InternalClassifier>());
        foreach (var b in _exitAfter)
        {
            var group = b / 5;
            Exits.Add(new InternalClassifier(_config.InputSize >> group, _config.Width(64 << group), _config.NumClasses, random));
        }
        FinalBn = RegisterModule("final_bn", new BatchNorm2d(inChannels));
        Classifier = RegisterModule("classifier", new Linear(inChannels, _config.NumClasses, generator: random));
        KaimingInit.ApplyToConvolutions(this, random);
    }

    public Conv2d Stem { get; }

    public ModuleList<WideBlock> Blocks { get; }

    public ModuleList<InternalClassifier> Exits { get; }

    public BatchNorm2d FinalBn { get; }

    public Linear Classifier { get; }

    /// <summary>Logits and the exit taken: 0…5 for the internal classifiers, 6 for the final one.</summary>
    public (Tensor Logits, int Exit) Forward(Tensor x)
    {
        x = Stem.Forward(x);
        var exit = 0;
        for (var i = 0; i < Blocks.Count; i++)
        {
            x = Blocks[i].Forward(x);
            if (exit < _exitAfter.Length && _exitAfter[exit] == i)
            {
                var logits = Exits[exit].Forward(x);
                if (logits.Softmax(1).Max().Item() >= _config.Threshold) return (logits, exit);
                exit++;
            }
        }
        x = FinalBn.Forward(x).Relu();
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

/// <summary>The pre-activation wide block: conv3×3(relu(bn(conv3×3(relu(bn(x)))))) + shortcut, the
/// second convolution strided; the shortcut is a strided 1×1 convolution when the shape changes.
/// (Dropout sits between the convolutions in training and is the identity here.)</summary>
public sealed class WideBlock : Module
{
    /// <summary>Whether the shortcut is a convolution: a plain flag, so a compiler sees the decision
    /// as a constant of the model.</summary>
    private readonly bool _hasShortcut;

    public WideBlock(int inChannels, int channels, int stride, Random random)
    {
        Bn1 = RegisterModule("bn1", new BatchNorm2d(inChannels));
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, channels, 3, 1, 1, generator: random));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(channels));
        Conv2 = RegisterModule("conv2", new Conv2d(channels, channels, 3, stride, 1, generator: random));
        _hasShortcut = stride != 1 || inChannels != channels;
        if (_hasShortcut)
            Shortcut = RegisterModule("shortcut", new Conv2d(inChannels, channels, 1, stride, 0, generator: random));
    }

    public BatchNorm2d Bn1 { get; }

    public Conv2d Conv1 { get; }

    public BatchNorm2d Bn2 { get; }

    public Conv2d Conv2 { get; }

    public Conv2d? Shortcut { get; }

    public Tensor Forward(Tensor x)
    {
        var h = Conv1.Forward(Bn1.Forward(x).Relu());
        h = Conv2.Forward(Bn2.Forward(h).Relu());
        if (_hasShortcut) return h + Shortcut!.Forward(x);
        return h + x;
    }
}
