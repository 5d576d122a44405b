using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Skipping;

/// <summary>SkipNet on a CIFAR ResNet-38 with the recurrent gate policy: one LSTM (hidden size 10)
/// shared by all gates carries its state from block to block. Before each block after the first,
/// the feature map is embedded (global average pooling and a per-group 1×1 convolution to 10
/// channels), the LSTM steps once, and a linear projection with a sigmoid gives the probability
/// of running the block; the block is skipped when it is ≤ 0.5.</summary>
public sealed class SkipNetRecurrent : ZooModel
{
    public const int GateSize = 10;

    private readonly SkipNetConfig _config;

    public SkipNetRecurrent(SkipNetConfig? config = null)
    {
        _config = config ?? new SkipNetConfig();
        var random = new Random(_config.Seed);
        Stem = RegisterModule("stem", new ConvBn(3, _config.Width, 3, 1, 1, random));
        Blocks = RegisterModule("blocks", BasicBlock.CifarGroups(_config.Width, _config.BlocksPerGroup, random));
        Embeddings = RegisterModule("embeddings", new ModuleList<Conv2d>());
        for (var g = 0; g < 3; g++)
            Embeddings.Add(new Conv2d(_config.Width << g, GateSize, 1, generator: random));
        Lstm = RegisterModule("lstm", new LSTMCell(GateSize, GateSize, generator: random));
        Projection = RegisterModule("projection", new Linear(GateSize, 1, generator: random));
        Classifier = RegisterModule("classifier", new Linear(_config.Width * 4, _config.NumClasses, generator: random));
    }

    public ConvBn Stem { get; }

    public ModuleList<BasicBlock> Blocks { get; }

    /// <summary>The gate embedding of each group, applied to that group's feature maps.</summary>
    public ModuleList<Conv2d> Embeddings { get; }

    public LSTMCell Lstm { get; }

    public Linear Projection { get; }

    public Linear Classifier { get; }

    /// <summary>Logits and the blocks that ran: a [blocks] f32 mask, 1 where the block ran, 0 where
    /// the feature map took its shortcut.</summary>
    public (Tensor Logits, Tensor Executed) Forward(Tensor x)
    {
        x = Stem.Forward(x).Relu();
        x = Blocks[0].Forward(x);
        var executed = Tensor.Full(1f, 1);
        var h = Tensor.Zeros(x.Dim(0), GateSize);
        var c = Tensor.Zeros(x.Dim(0), GateSize);
        for (var i = 1; i < Blocks.Count; i++)
        {
            var embedded = Embeddings[(i - 1) / _config.BlocksPerGroup].Forward(TensorOps.AdaptiveAvgPool2d(x, [1, 1])).Reshape(x.Dim(0), GateSize);
            (h, c) = Lstm.Forward(embedded, (h, c));
            var probability = Projection.Forward(h).Sigmoid().Item();
            if (probability > 0.5f)
            {
                x = Blocks[i].Forward(x);
                executed = TensorOps.Concat([executed, Tensor.Full(1f, 1)], 0);
            }
            else
            {
                x = Blocks[i].Bypass(x);
                executed = TensorOps.Concat([executed, Tensor.Zeros(1)], 0);
            }
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
