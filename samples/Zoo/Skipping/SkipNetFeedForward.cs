using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Skipping;

/// <summary>SkipNet (Wang et al., ECCV 2018) on a CIFAR ResNet-38 with feed-forward gates
/// (FFGate-I). The first block always runs; before each later block a gate looks at the current
/// feature map and the block is skipped — the feature map passes through the block's shortcut —
/// when the gate's softmax[:, 1] ≤ 0.5.</summary>
public sealed class SkipNetFeedForward : ZooModel
{
    private readonly SkipNetConfig _config;

    public SkipNetFeedForward(SkipNetConfig? config = null)
    {
        _config = config ?? new SkipNetConfig();
        var random = new Random(_config.Seed);
        Stem = RegisterModule("stem", new ConvBn(3, _config.Width, 3, 1, 1, random));
        Blocks = RegisterModule("blocks", BasicBlock.CifarGroups(_config.Width, _config.BlocksPerGroup, random));
        Gates = RegisterModule("gates", new ModuleList<FeedForwardGate>());
        for (var i = 1; i < Blocks.Count; i++)
            Gates.Add(new FeedForwardGate(Blocks[i].First.Conv.InChannels, random));
        Classifier = RegisterModule("classifier", new Linear(_config.Width * 4, _config.NumClasses, generator: random));
    }

    public ConvBn Stem { get; }

    public ModuleList<BasicBlock> Blocks { get; }

    /// <summary>Gate i decides block i + 1.</summary>
    public ModuleList<FeedForwardGate> Gates { get; }

    public Linear Classifier { get; }

    /// <summary>Logits and the blocks that ran: a [blocks] f32 mask, 1 where the block ran, 0 where
    /// the feature map took its shortcut.</summary>
    public (Tensor Logits, Tensor Executed) Forward(Tensor x)
    {
        x = Stem.Forward(x).Relu();
        x = Blocks[0].Forward(x);
        var executed = Tensor.Full(1f, 1);
        for (var i = 1; i < Blocks.Count; i++)
        {
            var run = Gates[i - 1].Forward(x).Softmax(1).Narrow(1, 1, 1).Item() > 0.5f;
            if (!run)
            {
                x = Blocks[i].Bypass(x);
                executed = TensorOps.Concat([executed, Tensor.Zeros(1)], 0);
                continue;
            }
            x = Blocks[i].Forward(x);
            executed = TensorOps.Concat([executed, Tensor.Full(1f, 1)], 0);
        }
        var pooled = TensorOps.AdaptiveAvgPool2d(x, [1, 1]).Reshape(x.Dim(0), -1);
        return (Classifier.Forward(pooled), executed);
    }

    public override Tensor SampleInput(Random random) => ZooInputs.Image(random, 3, _config.InputSize);

    public override ZooRun Run(Tensor input)
    {
        var (logits, executed) = Forward(input);
        return new ZooRun(logits, Paths.Blocks(executed));
    }
}

/// <summary>FFGate-I: 2×2 max pooling, a stride-2 conv3×3-BN-ReLU, global average pooling and a
/// 1×1 convolution to two logits (skip, run).</summary>
public sealed class FeedForwardGate : Module
{
    public FeedForwardGate(int channels, Random random)
    {
        Conv = RegisterModule("conv", new ConvBn(channels, channels, 3, 2, 1, random));
        Logits = RegisterModule("logits", new Conv2d(channels, 2, 1, generator: random));
    }

    public ConvBn Conv { get; }

    public Conv2d Logits { get; }

    /// <summary>[batch, 2] logits.</summary>
    public Tensor Forward(Tensor x)
    {
        x = TensorOps.MaxPool2d(x, [2, 2], [2, 2], [0, 0]);
        x = Conv.Forward(x).Relu();
        x = TensorOps.AdaptiveAvgPool2d(x, [1, 1]);
        return Logits.Forward(x).Reshape(x.Dim(0), 2);
    }
}
