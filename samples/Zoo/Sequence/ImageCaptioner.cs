using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Sequence;

/// <summary>Configuration of the captioner. Tokens <paramref name="StartToken"/> and
/// <paramref name="EndToken"/> open and close a caption.</summary>
public sealed record ImageCaptionerConfig(int InputSize = 32, int Channels = 16, int Features = 32, int Vocab = 12, int EmbedDim = 16, int Hidden = 32, int AttentionDim = 16, int MaxSteps = 10, int StartToken = 1, int EndToken = 0, int Seed = 0);

/// <summary>Image captioning in the style of Show, Attend and Tell: a CNN encoder turns the image
/// into a grid of feature vectors; an LSTM decoder with additive (soft) attention over the grid
/// emits one word per step, greedily, until it emits the end token or reaches the step limit.</summary>
public sealed class ImageCaptioner : ZooModel
{
    private readonly ImageCaptionerConfig _config;

    public ImageCaptioner(ImageCaptionerConfig? config = null)
    {
        _config = config ?? new ImageCaptionerConfig();
        var random = new Random(_config.Seed);
        Encoder1 = RegisterModule("encoder1", new ConvBn(3, _config.Channels, 3, 2, 1, random));
        Encoder2 = RegisterModule("encoder2", new ConvBn(_config.Channels, _config.Features, 3, 2, 1, random));
        Words = RegisterModule("words", new Embedding(_config.Vocab, _config.EmbedDim, generator: random));
        InitH = RegisterModule("init_h", new Linear(_config.Features, _config.Hidden, generator: random));
        InitC = RegisterModule("init_c", new Linear(_config.Features, _config.Hidden, generator: random));
        EncoderAttention = RegisterModule("encoder_attention", new Linear(_config.Features, _config.AttentionDim, generator: random));
        DecoderAttention = RegisterModule("decoder_attention", new Linear(_config.Hidden, _config.AttentionDim, generator: random));
        FullAttention = RegisterModule("full_attention", new Linear(_config.AttentionDim, 1, generator: random));
        ContextGate = RegisterModule("context_gate", new Linear(_config.Hidden, _config.Features, generator: random));
        Decoder = RegisterModule("decoder", new LSTMCell(_config.EmbedDim + _config.Features, _config.Hidden, generator: random));
        Vocabulary = RegisterModule("vocabulary", new Linear(_config.Hidden, _config.Vocab, generator: random));
    }

    public ImageCaptionerConfig Config => _config;

    public ConvBn Encoder1 { get; }
    public ConvBn Encoder2 { get; }
    public Embedding Words { get; }
    public Linear InitH { get; }
    public Linear InitC { get; }
    public Linear EncoderAttention { get; }
    public Linear DecoderAttention { get; }
    public Linear FullAttention { get; }
    public Linear ContextGate { get; }
    public LSTMCell Decoder { get; }
    public Linear Vocabulary { get; }

    /// <summary>The caption as [1, n] i64 token ids (ending with the end token unless the step
    /// limit cut it short).</summary>
    public Tensor Forward(Tensor image)
    {
        var grid = Encoder2.Forward(Encoder1.Forward(image).Relu()).Relu();
        var features = grid.Reshape(1, _config.Features, -1).Transpose(1, 2); // [1, locations, features]
        var keys = EncoderAttention.Forward(features);
        var mean = features.Mean(1);
        var h = InitH.Forward(mean).Tanh();
        var c = InitC.Forward(mean).Tanh();
        var word = Tensor.Scalar((long)_config.StartToken).Reshape(1);
        var caption = Tensor.Zeros(DType.Int64, 1, 0);
        var step = 0;
        while (step < _config.MaxSteps)
        {
            var query = DecoderAttention.Forward(h).Unsqueeze(1);
            var alpha = FullAttention.Forward((keys + query).Relu()).Squeeze(2).Softmax(1);
            var context = (features * alpha.Unsqueeze(2)).Sum(1) * ContextGate.Forward(h).Sigmoid();
            (h, c) = Decoder.Forward(TensorOps.Concat([Words.Forward(word), context], 1), (h, c));
            word = Vocabulary.Forward(h).ArgMax(1);
            caption = TensorOps.Concat([caption, word.Reshape(1, 1)], 1);
            step++;
            if ((int)word.Item() == _config.EndToken) break;
        }
        return caption;
    }

    public override Tensor SampleInput(Random random) => ZooInputs.Image(random, 3, _config.InputSize);

    public override ZooRun Run(Tensor input)
    {
        var caption = Forward(input);
        return new ZooRun(caption, $"steps {caption.Dim(1)}");
    }
}
