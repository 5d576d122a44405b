using DyCompile.Zoo.EarlyExit;
using DyCompile.Zoo.Sequence;
using DyCompile.Zoo.Skipping;

namespace DyCompile.Zoo.Tests;

/// <summary>Every zoo model in a small configuration (thin or short, same structure), by name.</summary>
public static class TestModels
{
    public static readonly IReadOnlyDictionary<string, Func<int, ZooModel>> Factories = new Dictionary<string, Func<int, ZooModel>>
    {
        ["mobilenet_sdn"] = seed => new MobileNetSdn(new SdnConfig(WidthDivisor: 8, Seed: seed)),
        ["vgg16bn_sdn"] = seed => new Vgg16BnSdn(new SdnConfig(WidthDivisor: 8, Seed: seed)),
        ["resnet56_sdn"] = seed => new ResNet56Sdn(new SdnConfig(WidthDivisor: 2, Seed: seed)),
        ["wideresnet32_4_sdn"] = seed => new WideResNet32x4Sdn(new SdnConfig(Threshold: 0.9f, WidthDivisor: 8, Seed: seed)),
        ["skipnet_ffgate"] = seed => new SkipNetFeedForward(new SkipNetConfig(Width: 8, Seed: seed)),
        ["skipnet_rnngate"] = seed => new SkipNetRecurrent(new SkipNetConfig(Width: 8, Seed: seed)),
        ["blockdrop_resnet110"] = seed => new BlockDrop(new SkipNetConfig(BlocksPerGroup: 18, Width: 4, Seed: seed)),
        ["image_captioner"] = seed => new ImageCaptioner(new ImageCaptionerConfig(Seed: seed)),
        ["early_exit_transformer"] = seed => new EarlyExitTransformer(new EarlyExitTransformerConfig(Threshold: 0.4f, Seed: seed)),
        ["mixture_of_experts"] = seed => new MixtureOfExperts(new MixtureOfExpertsConfig(Seed: seed)),
        ["adaptive_computation"] = seed => new AdaptiveComputationBlock(new AdaptiveComputationConfig(Seed: seed)),
        ["decoder_generator"] = seed => new DecoderGenerator(new DecoderGeneratorConfig(SkipThreshold: 0.15f, Seed: seed)),
    };

    public static TheoryData<string> Names => new(Factories.Keys);
}
