using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.EarlyExit;

/// <summary>VGG-16 with batch norm as a Shallow-Deep Network: 13 conv3×3-BN-ReLU layers (max
/// pooling after layers 2, 4, 7, 10 and 13), internal classifiers after layers 2, 4, 6, 7, 9
/// and 10 (SDN's add_ic = [0,1,0,1,0,1,1,0,1,1,0,0,0]), then FC 512-512-classes. The forward
/// pass returns at the first classifier whose top softmax probability reaches the threshold.</summary>
public sealed class Vgg16BnSdn : ZooModel
{
    private static readonly int[] _channels = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512];
    private static readonly bool[] _poolAfter = [false, true, false, true, false, false, true, false, false, true, false, false, true];
    private static readonly bool[] _exitAfter = [false, true, false, true, false, true, true, false, true, true, false, false, false];

    private readonly SdnConfig _config;

    public Vgg16BnSdn(SdnConfig? config = null)
    {
        _config = config ?? new SdnConfig();
        var random = new Random(_config.Seed);
        Layers = RegisterModule("layers", new ModuleList<ConvBn>());
        Exits = RegisterModule("exits", new ModuleList<InternalClassifier>());
        int inChannels = 3, size = _config.InputSize;
        for (var i = 0; i < _channels.Length; i++)
        {
            var channels = _config.Width(_channels[i]);
            Layers.Add(new ConvBn(inChannels, channels, 3, 1, 1, random, bias: true));
            if (_poolAfter[i]) size /= 2;
            if (_exitAfter[i]) Exits.Add(new InternalClassifier(size, channels, _config.NumClasses, random));
            inChannels = channels;
        }
        var fc = _config.Width(512);
        Fc1 = RegisterModule("fc1", new Linear(inChannels * size * size, fc, generator: random));
        Fc2 = RegisterModule("fc2", new Linear(fc, fc, generator: random));
        Classifier = RegisterModule("classifier", new Linear(fc, _config.NumClasses, generator: random));
        KaimingInit.ApplyToConvolutions(this, random);
    }

    public ModuleList<ConvBn> Layers { get; }

    public ModuleList<InternalClassifier> Exits { get; }

    public Linear Fc1 { get; }

    public Linear Fc2 { get; }

    public Linear Classifier { get; }

    /// <summary>Logits and the exit taken: 0…5 for the internal classifiers, 6 for the final one.</summary>
    public (Tensor Logits, int Exit) Forward(Tensor x)
    {
        var exit = 0;
        for (var i = 0; i < Layers.Count; i++)
        {
            x = Layers[i].Forward(x).Relu();
            if (_poolAfter[i]) x = TensorOps.MaxPool2d(x, [2, 2], [2, 2], [0, 0]);
            if (_exitAfter[i])
            {
                var logits = Exits[exit].Forward(x);
                if (logits.Softmax(1).Max().Item() >= _config.Threshold) return (logits, exit);
                exit++;
            }
        }
        x = Fc1.Forward(x.Reshape(x.Dim(0), -1)).Relu();
        x = Fc2.Forward(x).Relu();
        return (Classifier.Forward(x), exit);
    }

    public override Tensor SampleInput(Random random) => ZooInputs.Image(random, 3, _config.InputSize);

    public override ZooRun Run(Tensor input)
    {
        var (logits, exit) = Forward(input);
        return new ZooRun(logits, $"exit {exit}");
    }
}
