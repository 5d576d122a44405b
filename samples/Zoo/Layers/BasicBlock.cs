using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Layers;

/// <summary>The CIFAR ResNet basic block: relu(bn(conv3×3(relu(bn(conv3×3(x))))) + shortcut(x)),
/// where the shortcut is a strided 1×1 convolution with batch norm when the block changes the
/// stride or the width, else the identity.</summary>
public sealed class BasicBlock : Module
{
    /// <summary>Whether the block has a convolutional shortcut: a plain flag, so a compiler sees the
    /// decision as a constant of the model.</summary>
    private readonly bool _hasShortcut;

    public BasicBlock(int inChannels, int channels, int stride, Random random)
    {
        First = RegisterModule("conv1", new ConvBn(inChannels, channels, 3, stride, 1, random));
        Second = RegisterModule("conv2", new ConvBn(channels, channels, 3, 1, 1, random));
        _hasShortcut = stride != 1 || inChannels != channels;
        if (_hasShortcut)
            Shortcut = RegisterModule("shortcut", new ConvBn(inChannels, channels, 1, stride, 0, random));
    }

    public ConvBn First { get; }

    public ConvBn Second { get; }

    public ConvBn? Shortcut { get; }

    public Tensor Forward(Tensor x) => (Second.Forward(First.Forward(x).Relu()) + Bypass(x)).Relu();

    /// <summary>What the block passes around its body: what a skipped block leaves in its place.</summary>
    public Tensor Bypass(Tensor x)
    {
        if (_hasShortcut) return Shortcut!.Forward(x);
        return x;
    }

    /// <summary>The three groups of a CIFAR ResNet of <paramref name="blocksPerGroup"/> blocks each
    /// (widths w, 2w, 4w; the first block of groups 2 and 3 halves the resolution), in order.</summary>
    public static ModuleList<BasicBlock> CifarGroups(int width, int blocksPerGroup, Random random)
    {
        var blocks = new ModuleList<BasicBlock>();
        var inChannels = width;
        for (var g = 0; g < 3; g++)
            for (var b = 0; b < blocksPerGroup; b++)
            {
                var channels = width << g;
                blocks.Add(new BasicBlock(inChannels, channels, g > 0 && b == 0 ? 2 : 1, random));
                inChannels = channels;
            }
        return blocks;
    }
}
