using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Skipping;

/// <summary>The residual body of BlockDrop's flat ResNet: bn(conv3×3(relu(bn(conv3×3(x))))), with
/// no shortcut of its own — the network adds it, so a dropped block leaves just the shortcut.</summary>
public sealed class ResidualBody : Module
{
    public ResidualBody(int inChannels, int channels, int stride, Random random)
    {
        First = RegisterModule("conv1", new ConvBn(inChannels, channels, 3, stride, 1, random));
        Second = RegisterModule("conv2", new ConvBn(channels, channels, 3, 1, 1, random));
    }

    public ConvBn First { get; }

    public ConvBn Second { get; }

    public Tensor Forward(Tensor x) => Second.Forward(First.Forward(x).Relu());
}

/// <summary>BlockDrop's parameter-free shortcut for a block that halves the resolution and doubles
/// the width: average pooling with kernel = stride, then as many zero channels appended.</summary>
internal static class ZeroPadShortcut
{
    public static Tensor Apply(Tensor x, int stride)
    {
        x = TensorOps.AvgPool2d(x, [stride, stride], [stride, stride], [0, 0]);
        return TensorOps.Concat([x, x * 0f], 1);
    }
}

/// <summary>The block layout of a flat CIFAR ResNet: three groups of bodies, widths w, 2w, 4w.</summary>
internal static class FlatResNet
{
    public static ModuleList<ResidualBody> Bodies(int width, int blocksPerGroup, Random random)
    {
        var bodies = new ModuleList<ResidualBody>();
        var inChannels = width;
        for (var g = 0; g < 3; g++)
            for (var b = 0; b < blocksPerGroup; b++)
            {
                bodies.Add(new ResidualBody(inChannels, width << g, g > 0 && b == 0 ? 2 : 1, random));
                inChannels = width << g;
            }
        return bodies;
    }

    /// <summary>What block <paramref name="index"/> adds its body to: the zero-padded shortcut for
    /// the first block of groups 2 and 3, else the input itself.</summary>
    public static Tensor Shortcut(Tensor x, int index, int blocksPerGroup) =>
        index > 0 && index % blocksPerGroup == 0 ? ZeroPadShortcut.Apply(x, 2) : x;
}
