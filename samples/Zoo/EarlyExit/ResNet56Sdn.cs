using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.EarlyExit;

/// <summary>ResNet-56 (CIFAR: 3 groups of 9 basic blocks, widths 16-32-64) as a Shallow-Deep
/// Network, with internal classifiers after blocks 4 and 8 of group 1, 3 and 7 of group 2, 2 and 6
/// of group 3 (SDN's add_ic, about 15…90 % of the FLOPs). Exits at the first classifier whose
/// top softmax probability reaches the threshold.</summary>
public sealed class ResNet56Sdn : ZooModel
{
    private static readonly int[] _exitAfter = [3, 7, 11, 15, 19, 23];

    private readonly SdnConfig _config;

    public ResNet56Sdn(SdnConfig? config = null)
    {
        _config = config ?? new SdnConfig();
        var random = new Random(_config.Seed);
        var width = _config.Width(16);
        Stem = RegisterModule("stem", new ConvBn(3, width, 3, 1, 1, random));
        Blocks = RegisterModule("blocks", BasicBlock.CifarGroups(width, 9, random));
        Exits = RegisterModule("exits", new ModuleList<InternalClassifier>());
        foreach (var b in _exitAfter)
        {
            var group = b / 9;
            Exits.Add(new InternalClassifier(_config.InputSize >> group, width << group, _config.NumClasses, random));
        }
        Classifier = RegisterModule("classifier", new Linear(width * 4, _config.NumClasses, generator: random));
        KaimingInit.ApplyToConvolutions(this, random);
    }

    public SdnConfig Config => _config;

    /// <summary>The indices of the blocks followed by an internal classifier, in order.</summary>
    public static IReadOnlyList<int> ExitBlocks => _exitAfter;

    public ConvBn Stem { get; }

    public ModuleList<BasicBlock> Blocks { get; }

    public ModuleList<InternalClassifier> Exits { get; }

    public Linear Classifier { get; }

    /// <summary>Logits and the exit taken: 0…5 for the internal classifiers, 6 for the final one.</summary>
    public (Tensor Logits, int Exit) Forward(Tensor x)
    {
        x = Stem.Forward(x).Relu();
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
        var pooled = TensorOps.AdaptiveAvgPool2d(x, [1, 1]).Reshape(x.Dim(0), -1);
        return (Classifier.Forward(pooled), exit);
    }

    /// <summary>Images of a smaller scale than the other CNNs': 27 residual blocks with identity
    /// batch norms amplify their input, and at the usual scale every input would leave at the first exit.</summary>
    public override Tensor SampleInput(Random random) => ZooInputs.Image(random, 3, _config.InputSize, minLog10: -3, maxLog10: 0);

    public override ZooRun Run(Tensor input)
    {
        var (logits, exit) = Forward(input);
        return new ZooRun(logits, $"exit {exit}");
    }
}
