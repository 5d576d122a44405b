using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>A batch of images each too small to split (a batch of CIFAR-sized convolutions):
/// one item per image, each filling its own thread's phase image and running every tile of
/// <see cref="Template"/> on it.</summary>
internal readonly unsafe struct DirectConvImages : IConvItems
{
    /// <summary>The problem of image 0 without its phase image (Image is set per item).</summary>
    public DirectConvProblem Template { get; init; }
    public PhaseImage Layout { get; init; }
    public float* Input { get; init; }
    public int Channels { get; init; }
    public long InputImage { get; init; }
    public long OutputImage { get; init; }
    public int Batch { get; init; }

    public int Items => Batch;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunItem(int item)
    {
        var scratch = DirectConv2d.ThreadImage(Layout.Floats(Channels));
        Layout.Fill(Input + item * InputImage, scratch, 0, Channels, Channels);
        var problem = Template with
        {
            Image = scratch,
            Output = Template.Output + item * OutputImage,
            Residual = Template.Residual == null ? null : Template.Residual + item * OutputImage,
        };
        for (var i = 0; i < problem.Items; i++) problem.RunItem(i);
    }
}
