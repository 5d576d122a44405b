using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Layers;

/// <summary>Convolution followed by batch normalization, the unit every CNN of the zoo is made of
/// (state: <c>conv.*</c>, <c>bn.*</c>).</summary>
public sealed class ConvBn : Module
{
    public ConvBn(int inChannels, int outChannels, int kernelSize, int stride, int padding, Random random, int groups = 1, bool bias = false)
    {
        Conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, kernelSize, stride, padding, groups: groups, bias: bias, generator: random));
        Bn = RegisterModule("bn", new BatchNorm2d(outChannels));
    }

    public Conv2d Conv { get; }

    public BatchNorm2d Bn { get; }

    public Tensor Forward(Tensor x) => Bn.Forward(Conv.Forward(x));
}
