using DyCompile.Zoo;
using DyCompile.Zoo.EarlyExit;
using DyCompile.Zoo.Sequence;
using DyCompile.Zoo.Skipping;

namespace DyCompile.DeviceCheck;

/// <summary>One zoo model at the size the check runs it. <paramref name="TorchConfig"/> (null
/// when the PyTorch script does not rebuild the model) is what torch_zoo.py needs to rebuild it,
/// written as JSON beside the weights.</summary>
internal sealed record ZooCase(string Key, string Name, Func<ZooModel> Create, IReadOnlyDictionary<string, object>? TorchConfig = null)
{
    /// <summary>The benchmark sizes of docs/performance.md (the CPU zoo table), for a CUDA device.</summary>
    public static IReadOnlyList<ZooCase> Device { get; } =
    [
        new("resnet56-sdn", "ResNet-56-SDN", () => new ResNet56Sdn(),
            new Dictionary<string, object> { ["model"] = "resnet56-sdn", ["width"] = 16, ["input_size"] = 32, ["classes"] = 10, ["threshold"] = 0.5 }),
        new("ee-transformer", "early-exit transformer", () => new EarlyExitTransformer(new(Vocab: 1000, Tokens: 128, Dim: 256, Heads: 4, Layers: 6, Threshold: 0.3f)),
            new Dictionary<string, object> { ["model"] = "ee-transformer", ["vocab"] = 1000, ["tokens"] = 128, ["dim"] = 256, ["heads"] = 4, ["layers"] = 6, ["classes"] = 4, ["threshold"] = 0.3 }),
        new("generator", "decoder-only generator", () => new DecoderGenerator(new(Vocab: 16, PromptTokens: 16, MaxNewTokens: 16, Dim: 128, Heads: 4, Layers: 4, SkipThreshold: 0.15f)),
            new Dictionary<string, object> { ["model"] = "generator", ["vocab"] = 16, ["prompt_tokens"] = 16, ["max_new_tokens"] = 16, ["dim"] = 128, ["heads"] = 4, ["layers"] = 4, ["end_token"] = 0, ["skip_threshold"] = 0.15 }),
        new("moe", "mixture of experts", () => new MixtureOfExperts(new(Tokens: 128, Dim: 256, Hidden: 1024, Experts: 8, TopK: 2)),
            new Dictionary<string, object> { ["model"] = "moe", ["tokens"] = 128, ["dim"] = 256, ["hidden"] = 1024, ["experts"] = 8, ["top_k"] = 2 }),
        new("mobilenet-sdn", "MobileNet-SDN", () => new MobileNetSdn(new SdnConfig(InputSize: 224))),
        new("vgg16-bn-sdn", "VGG16-BN-SDN", () => new Vgg16BnSdn(new SdnConfig(InputSize: 224))),
        new("wrn32-4-sdn", "WideResNet-32-4-SDN", () => new WideResNet32x4Sdn()),
        new("skipnet-ff", "SkipNet FFGate-I", () => new SkipNetFeedForward()),
        new("skipnet-rnn", "SkipNet recurrent gate", () => new SkipNetRecurrent()),
        new("blockdrop", "BlockDrop", () => new BlockDrop()),
        new("captioner", "image captioner", () => new ImageCaptioner(new ImageCaptionerConfig(InputSize: 224, MaxSteps: 16, Seed: 3))),
        new("acm", "adaptive computation module", () => new AdaptiveComputationBlock(new AdaptiveComputationConfig(Tokens: 128, Dim: 256, LearnerHidden: 256, Learners: 4))),
    ];

    /// <summary>Structurally the same models, thin and small: ILGPU's CPU accelerator emulates one
    /// thread per lane, so this is a correctness run, never a measurement.</summary>
    public static IReadOnlyList<ZooCase> Emulated { get; } =
    [
        new("resnet56-sdn", "ResNet-56-SDN (width/8, 8×8)", () => new ResNet56Sdn(new SdnConfig(InputSize: 8, WidthDivisor: 8))),
        new("ee-transformer", "early-exit transformer (small)", () => new EarlyExitTransformer()),
        new("generator", "decoder-only generator (small)", () => new DecoderGenerator()),
        new("moe", "mixture of experts (small)", () => new MixtureOfExperts()),
    ];
}
