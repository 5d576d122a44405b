using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Sequence;

/// <summary>Configuration of the early-exit encoder classifier.</summary>
public sealed record EarlyExitTransformerConfig(int Vocab = 64, int Tokens = 8, int Dim = 32, int Heads = 4, int Layers = 4, int NumClasses = 4, float Threshold = 0.5f, int Seed = 0);

/// <summary>A transformer encoder classifier with an exit head after every layer (as in DeeBERT /
/// JEI-DNN): the head classifies the mean token; the pass stops at the first layer whose head's
/// top softmax probability reaches the threshold.</summary>
public sealed class EarlyExitTransformer : ZooModel
{
    private readonly EarlyExitTransformerConfig _config;

    public EarlyExitTransformer(EarlyExitTransformerConfig? config = null)
    {
        _config = config ?? new EarlyExitTransformerConfig();
        var random = new Random(_config.Seed);
        Embedding = RegisterModule("embedding", new TokenEmbedding(_config.Vocab, _config.Tokens, _config.Dim, random));
        Layers = RegisterModule("layers", new ModuleList<TransformerLayer>());
        Heads = RegisterModule("heads", new ModuleList<Linear>());
        for (var i = 0; i < _config.Layers; i++)
        {
            Layers.Add(new TransformerLayer(_config.Dim, _config.Heads, 4 * _config.Dim, random));
            Heads.Add(new Linear(_config.Dim, _config.NumClasses, generator: random));
        }
    }

    public EarlyExitTransformerConfig Config => _config;

    public TokenEmbedding Embedding { get; }

    public ModuleList<TransformerLayer> Layers { get; }

    public ModuleList<Linear> Heads { get; }

    /// <summary>Logits and the layer whose head answered (the last layer answers regardless).</summary>
    public (Tensor Logits, int Exit) Forward(Tensor ids)
    {
        var x = Embedding.Forward(ids);
        var logits = x;
        for (var i = 0; i < Layers.Count; i++)
        {
            x = Layers[i].Forward(x, causal: false);
            logits = Heads[i].Forward(x.Mean(1));
            if (logits.Softmax(1).Max().Item() >= _config.Threshold) return (logits, i);
        }
        return (logits, Layers.Count - 1);
    }

    public override Tensor SampleInput(Random random) => ZooInputs.Tokens(random, _config.Tokens, _config.Vocab);

    public override ZooRun Run(Tensor input)
    {
        var (logits, exit) = Forward(input);
        return new ZooRun(logits, $"exit {exit}");
    }
}
