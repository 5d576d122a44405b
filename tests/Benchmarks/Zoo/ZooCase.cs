using DyCompile.Zoo;
using DyCompile.Zoo.EarlyExit;
using DyCompile.Zoo.Sequence;
using DyCompile.Zoo.Skipping;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>One zoo model at its benchmark size. <paramref name="Key"/> is what `--model` matches;
/// <paramref name="Size"/> says in words what one input is.</summary>
internal sealed record ZooCase(string Key, string Name, string Size, Func<ZooModel> Create)
{
    /// <summary>ImageNet-style networks (MobileNet, VGG-16, the captioner's encoder) at 224 × 224; the
    /// CIFAR networks (ResNet-56, WRN-32-4, SkipNet, BlockDrop) at their native 32 × 32, where their
    /// strides and classifier sizes are defined; the sequence models at BERT-mini-like widths. Thresholds
    /// are set so that untrained heads still take different paths (as the zoo's tests do): 0.3 over 4
    /// classes for the encoder classifier, 0.15 over 16 tokens for the generator's layer skipping.</summary>
    public static IReadOnlyList<ZooCase> All { get; } =
    [
        new("mobilenet-sdn", "MobileNet-SDN", "3×224×224", () => new MobileNetSdn(new SdnConfig(InputSize: 224))),
        new("vgg16-bn-sdn", "VGG16-BN-SDN", "3×224×224", () => new Vgg16BnSdn(new SdnConfig(InputSize: 224))),
        new("resnet56-sdn", "ResNet-56-SDN", "3×32×32", () => new ResNet56Sdn()),
        new("wrn32-4-sdn", "WideResNet-32-4-SDN", "3×32×32", () => new WideResNet32x4Sdn()),
        new("skipnet-ff", "SkipNet FFGate-I (ResNet-38)", "3×32×32", () => new SkipNetFeedForward()),
        new("skipnet-rnn", "SkipNet recurrent gate (ResNet-38)", "3×32×32", () => new SkipNetRecurrent()),
        new("blockdrop", "BlockDrop (ResNet-110)", "3×32×32", () => new BlockDrop()),
        // Seed 3: its untrained decoder emits the end token at once for some images and never for others.
        new("captioner", "image captioner", "3×224×224, ≤ 16 words",
            () => new ImageCaptioner(new ImageCaptionerConfig(InputSize: 224, MaxSteps: 16, Seed: 3))),
        new("ee-transformer", "early-exit transformer", "128 tokens, d 256, 6 layers",
            () => new EarlyExitTransformer(new EarlyExitTransformerConfig(Vocab: 1000, Tokens: 128, Dim: 256, Heads: 4, Layers: 6, Threshold: 0.3f))),
        new("moe", "mixture of experts", "128 tokens, d 256, 8 experts, top 2",
            () => new MixtureOfExperts(new MixtureOfExpertsConfig(Tokens: 128, Dim: 256, Hidden: 1024, Experts: 8, TopK: 2))),
        new("acm", "adaptive computation module", "128 tokens, d 256, 4 learners",
            () => new AdaptiveComputationBlock(new AdaptiveComputationConfig(Tokens: 128, Dim: 256, LearnerHidden: 256, Learners: 4))),
        new("generator", "decoder-only generator", "16-token prompt, ≤ 16 new, d 128, 4 layers",
            () => new DecoderGenerator(new DecoderGeneratorConfig(Vocab: 16, PromptTokens: 16, MaxNewTokens: 16, Dim: 128, Heads: 4, Layers: 4, SkipThreshold: 0.15f))),
    ];
}
