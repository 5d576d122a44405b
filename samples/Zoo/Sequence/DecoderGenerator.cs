using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Sequence;

/// <summary>Configuration of the small generator. Token <paramref name="EndToken"/> ends a sequence.</summary>
public sealed record DecoderGeneratorConfig(int Vocab = 16, int PromptTokens = 4, int MaxNewTokens = 8, int Dim = 32, int Heads = 4, int Layers = 4, int EndToken = 0, float SkipThreshold = 0.5f, int Seed = 0);

/// <summary>A small decoder-only language model generating greedily: each step runs the causal
/// layers over the sequence, but after every layer but the last the shared head reads the last
/// position, and when its top softmax probability reaches the threshold the remaining layers are
/// skipped (CALM-style early exit); generation stops at the end token or after the maximum number
/// of new tokens.</summary>
public sealed class DecoderGenerator : ZooModel
{
    private readonly DecoderGeneratorConfig _config;

    public DecoderGenerator(DecoderGeneratorConfig? config = null)
    {
        _config = config ?? new DecoderGeneratorConfig();
        var random = new Random(_config.Seed);
        Embedding = RegisterModule("embedding", new TokenEmbedding(_config.Vocab, _config.PromptTokens + _config.MaxNewTokens, _config.Dim, random));
        Layers = RegisterModule("layers", new ModuleList<TransformerLayer>());
        for (var i = 0; i < _config.Layers; i++) Layers.Add(new TransformerLayer(_config.Dim, _config.Heads, 4 * _config.Dim, random, _config.PromptTokens + _config.MaxNewTokens));
        FinalNorm = RegisterModule("final_norm", new LayerNorm(_config.Dim));
        Head = RegisterModule("head", new Linear(_config.Dim, _config.Vocab, generator: random));
    }

    public TokenEmbedding Embedding { get; }

    public ModuleList<TransformerLayer> Layers { get; }

    public LayerNorm FinalNorm { get; }

    public Linear Head { get; }

    /// <summary>The prompt followed by the generated tokens ([1, n] i64), and per generated token
    /// the number of layers it ran ([steps] i64).</summary>
    public (Tensor Sequence, Tensor LayersRun) Forward(Tensor prompt)
    {
        var sequence = prompt;
        var layersRun = Tensor.Zeros(DType.Int64, 0);
        var step = 0;
        while (step < _config.MaxNewTokens)
        {
            var x = Embedding.Forward(sequence);
            var depth = 0;
            Tensor logits;
            while (true)
            {
                x = Layers[depth].Forward(x, causal: true);
                depth++;
                logits = Head.Forward(FinalNorm.Forward(x.Narrow(1, x.Dim(1) - 1, 1).Reshape(1, _config.Dim)));
                if (depth == Layers.Count) break;
                if (logits.Softmax(1).Max().Item() >= _config.SkipThreshold) break;
            }
            var next = logits.ArgMax(1, keepdim: true);
            sequence = TensorOps.Concat([sequence, next], 1);
            layersRun = TensorOps.Concat([layersRun, Tensor.Full(depth, 1).Cast(DType.Int64)], 0);
            step++;
            if ((int)next.Item() == _config.EndToken) break;
        }
        return (sequence, layersRun);
    }

    /// <summary>A prompt of ids that are not the end token.</summary>
    public override Tensor SampleInput(Random random) => ZooInputs.Tokens(random, _config.PromptTokens, _config.Vocab, low: 1);

    public override ZooRun Run(Tensor input)
    {
        var (sequence, layersRun) = Forward(input);
        return new ZooRun(sequence, "layers " + string.Join(' ', layersRun.Longs.ToArray()));
    }
}
