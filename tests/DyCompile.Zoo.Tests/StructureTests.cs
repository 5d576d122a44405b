using DyCompile.Zoo.EarlyExit;
using DyCompile.Zoo.Skipping;

namespace DyCompile.Zoo.Tests;

/// <summary>The published configurations have the published shapes.</summary>
public class StructureTests
{
    [Fact]
    public void Vgg16HasThirteenConvolutionsAndSixInternalClassifiers()
    {
        var model = new Vgg16BnSdn();
        Assert.Equal(13, model.Layers.Count);
        Assert.Equal(6, model.Exits.Count);
        Assert.Equal([64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512], model.Layers.Select(l => l.Conv.OutChannels));
        Assert.Equal(512, model.Fc1.InFeatures); // five poolings take 32×32 to 1×1
    }

    [Fact]
    public void ResNet56HasTwentySevenBlocks()
    {
        var model = new ResNet56Sdn();
        Assert.Equal(27, model.Blocks.Count);
        Assert.Equal(6, model.Exits.Count);
        Assert.Equal(64, model.Blocks[26].Second.Conv.OutChannels);
        // 1 stem + 2 per block + 1 classifier = 56 weighted layers
        Assert.Equal(56, 1 + 2 * model.Blocks.Count + 1);
    }

    [Fact]
    public void WideResNet32x4HasFifteenWideBlocks()
    {
        var model = new WideResNet32x4Sdn();
        Assert.Equal(15, model.Blocks.Count);
        Assert.Equal([64, 128, 256], new[] { 0, 5, 10 }.Select(i => model.Blocks[i].Conv1.OutChannels));
        Assert.Equal(6, model.Exits.Count);
    }

    [Fact]
    public void MobileNetHasThirteenSeparableBlocksAndFiveInternalClassifiers()
    {
        var model = new MobileNetSdn();
        Assert.Equal(13, model.Blocks.Count);
        Assert.Equal(5, model.Exits.Count);
        Assert.Equal(1024, model.Classifier.InFeatures);
        Assert.Equal(64, model.Blocks[1].Depthwise.Conv.Groups);
    }

    [Fact]
    public void SkipNetIsAResNet38WithAGatePerSkippableBlock()
    {
        var model = new SkipNetFeedForward();
        Assert.Equal(18, model.Blocks.Count); // 6n + 2 = 38 with n = 6
        Assert.Equal(17, model.Gates.Count);
        Assert.Equal(3, new SkipNetRecurrent().Embeddings.Count);
    }

    [Fact]
    public void BlockDropIsAResNet110WithOneDecisionPerBlock()
    {
        var model = new BlockDrop();
        Assert.Equal(54, model.Bodies.Count);
        Assert.Equal(54, model.Policy.Logits.OutFeatures);
        Assert.Equal(3, model.Policy.Bodies.Count);
    }
}
