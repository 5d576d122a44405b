using ILGPU;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>conv2d as an implicit GEMM, one product per group: row m is an output pixel
/// (n, oy, ox), column an output channel of the group, k an input tap (c, ky, kx) whose input
/// element is read straight from the NCHW image (zero outside it: the padding). The bias is added
/// as the result is stored into the NCHW output.</summary>
public struct ConvolutionProblem : IGemmProblem
{
    public ArrayView<float> Input, Weight, Bias, Output, Residual;
    public int Batch, InChannels, Height, Width;
    public int OutChannels, OutHeight, OutWidth;
    public int KernelHeight, KernelWidth, StrideH, StrideW, PadH, PadW, DilationH, DilationW;
    /// <summary>Input and output channels of one group.</summary>
    public int GroupIn, GroupOut;
    /// <summary>The store's epilogue after the bias: add Residual (NCHW like the output), then relu.</summary>
    public int HasResidual, Relu;

    public readonly int M => Batch * OutHeight * OutWidth;
    public readonly int N => GroupOut;
    public readonly int K => GroupIn * KernelHeight * KernelWidth;

    public readonly int BaseA(int group) => group * GroupIn;
    public readonly int BaseB(int group) => group * GroupOut;
    public readonly int BaseC(int group) => group * GroupOut;

    public readonly float LoadA(int firstChannel, int row, int k)
    {
        if (row >= Batch * OutHeight * OutWidth || k >= GroupIn * KernelHeight * KernelWidth) return 0f;
        var ox = row % OutWidth;
        var oy = row / OutWidth % OutHeight;
        var n = row / (OutWidth * OutHeight);
        var kx = k % KernelWidth;
        var ky = k / KernelWidth % KernelHeight;
        var c = k / (KernelWidth * KernelHeight);
        var iy = oy * StrideH - PadH + ky * DilationH;
        var ix = ox * StrideW - PadW + kx * DilationW;
        if (iy < 0 || iy >= Height || ix < 0 || ix >= Width) return 0f;
        return Input[((n * InChannels + firstChannel + c) * Height + iy) * Width + ix];
    }

    public readonly float LoadB(int firstOut, int k, int column) =>
        k < GroupIn * KernelHeight * KernelWidth && column < GroupOut
            ? Weight[(firstOut + column) * GroupIn * KernelHeight * KernelWidth + k]
            : 0f;

    public readonly void Store(int firstOut, int row, int column, float value)
    {
        var pixels = OutHeight * OutWidth;
        var n = row / pixels;
        var channel = firstOut + column;
        var at = (n * OutChannels + channel) * pixels + row % pixels;
        value += Bias[channel];
        if (HasResidual != 0) value += Residual[at];
        Output[at] = Relu != 0 ? KernelHelpers.Max(value, 0f) : value;
    }
}
