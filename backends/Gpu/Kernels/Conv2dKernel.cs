using DyCompile.IR;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>conv2d (NCHW, groups, stride, padding, dilation, bias) as an implicit GEMM on the
/// tiled kernel: one batch of the grid per group, the image read through the im2col view
/// without materialising it.</summary>
[GpuKernel("conv2d", Uses = [typeof(GemmKernels)])]
public sealed class Conv2dKernel : GpuOpKernel, IDenseEpilogueKernel
{
    private readonly Action<AcceleratorStream, KernelConfig, ConvolutionProblem> _gemm;

    public Conv2dKernel(Accelerator accelerator) : base(accelerator) =>
        _gemm = GemmKernels.Load<ConvolutionProblem>(accelerator);

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results) =>
        Launch(stream, node, operands, results, DenseEpilogue.None);

    public void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results, DenseEpilogue epilogue)
    {
        DeviceTensor x = operands[0].Tensor, w = operands[1].Tensor, bias = operands[2].Tensor, y = results[0];
        var groups = node.Attrs.GetInt("groups");
        var s = Pair(node.Attrs.GetInts("stride"));
        var p = Pair(node.Attrs.GetInts("padding"));
        var d = Pair(node.Attrs.GetInts("dilation"));
        var problem = new ConvolutionProblem
        {
            Input = x.Floats,
            Weight = w.Floats,
            Bias = bias.Floats,
            Output = y.Floats,
            Batch = x.Shape[0],
            InChannels = x.Shape[1],
            Height = x.Shape[2],
            Width = x.Shape[3],
            OutChannels = y.Shape[1],
            OutHeight = y.Shape[2],
            OutWidth = y.Shape[3],
            KernelHeight = w.Shape[2],
            KernelWidth = w.Shape[3],
            StrideH = s.H,
            StrideW = s.W,
            PadH = p.H,
            PadW = p.W,
            DilationH = d.H,
            DilationW = d.W,
            GroupIn = x.Shape[1] / groups,
            GroupOut = y.Shape[1] / groups,
            Residual = epilogue.Residual?.Floats ?? y.Floats,
            HasResidual = epilogue.Residual is null ? 0 : 1,
            Relu = epilogue.Relu ? 1 : 0,
        };
        if (problem.M == 0 || problem.N == 0) return;
        _gemm(stream, TiledGemm.Config(problem.M, problem.N, groups), problem);
    }

    private static (int H, int W) Pair(int[] v) => v.Length switch
    {
        1 => (v[0], v[0]),
        2 => (v[0], v[1]),
        _ => throw new ArgumentException($"conv2d needs 1 or 2 values per window attribute, got {v.Length}"),
    };
}
