using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Skipping;

/// <summary>BlockDrop (Wu et al., CVPR 2018) on a CIFAR ResNet-110: 54 residual blocks (3 groups
/// of 18). A policy network (Policy32: a flat ResNet with one block per group) looks at the image
/// once and gives each block a keep probability; block t runs only where it is &gt; 0.5, and a
/// dropped block leaves its shortcut.</summary>
public sealed class BlockDrop : ZooModel
{
    private readonly SkipNetConfig _config;

    /// <summary>The default configuration is ResNet-110 (18 blocks per group).</summary>
    public BlockDrop(SkipNetConfig? config = null)
    {
        _config = config ?? new SkipNetConfig(BlocksPerGroup: 18);
        var random = new Random(_config.Seed);
        Stem = RegisterModule("stem", new ConvBn(3, _config.Width, 3, 1, 1, random));
        Bodies = RegisterModule("blocks", FlatResNet.Bodies(_config.Width, _config.BlocksPerGroup, random));
        Classifier = RegisterModule("classifier", new Linear(_config.Width * 4, _config.NumClasses, generator: random));
        Policy = RegisterModule("policy", new Policy32(_config.Width, Bodies.Count, random));
    }

    public ConvBn Stem { get; }

    public ModuleList<ResidualBody> Bodies { get; }

    public Linear Classifier { get; }

    public Policy32 Policy { get; }

    /// <summary>Logits and the policy: a [1, blocks] bool mask, true where the block ran (its keep
    /// probability is &gt; 0.5), false where it was dropped.</summary>
    public (Tensor Logits, Tensor Policy) Forward(Tensor x)
    {
        var probabilities = Policy.Forward(x);
        var policy = TensorOps.Gt(probabilities, Tensor.Scalar(0.5f));
        x = Stem.Forward(x).Relu();
        for (var t = 0; t < Bodies.Count; t++)
        {
            var shortcut = FlatResNet.Shortcut(x, t, _config.BlocksPerGroup);
            if (probabilities.Narrow(1, t, 1).Item() > 0.5f)
                x = (shortcut + Bodies[t].Forward(x)).Relu();
            else
                x = shortcut;
        }
        var pooled = TensorOps.AdaptiveAvgPool2d(x, [1, 1]).Reshape(x.Dim(0), -1);
        return (Classifier.Forward(pooled), policy);
    }

    public override Tensor SampleInput(Random random) => ZooInputs.Image(random, 3, _config.InputSize);

    public override ZooRun Run(Tensor input)
    {
        var (logits, executed) = Forward(input);
        return new ZooRun(logits, Paths.Blocks(executed));
    }
}

/// <summary>BlockDrop's policy network: a flat ResNet with one residual block per group, global
/// average pooling, and a linear layer with a sigmoid giving one keep probability per block.</summary>
public sealed class Policy32 : Module
{
    public Policy32(int width, int decisions, Random random)
    {
        Stem = RegisterModule("stem", new ConvBn(3, width, 3, 1, 1, random));
        Bodies = RegisterModule("blocks", FlatResNet.Bodies(width, 1, random));
        Logits = RegisterModule("logits", new Linear(width * 4, decisions, generator: random));
    }

    public ConvBn Stem { get; }

    public ModuleList<ResidualBody> Bodies { get; }

    public Linear Logits { get; }

    /// <summary>[batch, decisions] probabilities.</summary>
    public Tensor Forward(Tensor x)
    {
        x = Stem.Forward(x).Relu();
        for (var b = 0; b < Bodies.Count; b++)
            x = (FlatResNet.Shortcut(x, b, 1) + Bodies[b].Forward(x)).Relu();
        var pooled = TensorOps.AdaptiveAvgPool2d(x, [1, 1]).Reshape(x.Dim(0), -1);
        return Logits.Forward(pooled).Sigmoid();
    }
}
