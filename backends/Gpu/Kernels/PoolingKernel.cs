using DyCompile.IR;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>The windows of a 2-D pooling over planes of Height × Width (NCHW or CHW), as the eager
/// kernel cuts them: a sliding window is clipped to the image (padding never wins a max and adds
/// zero to an average, whose divisor is the whole window); an adaptive one covers
/// [⌊o·H/O⌋, ⌈(o+1)·H/O⌉) and divides by the cells it covers.</summary>
public struct PoolGeometry
{
    public int Height, Width, OutHeight, OutWidth;
    public int KernelHeight, KernelWidth, StrideH, StrideW, PadH, PadW;
    public int Adaptive;
    public int Max;
}

/// <summary>max_pool2d, avg_pool2d, adaptive_avg_pool2d and adaptive_max_pool2d: one thread per
/// output element. Max propagates NaN, as in PyTorch.</summary>
[GpuKernel("max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d")]
public sealed class PoolingKernel : GpuOpKernel
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, PoolGeometry> _pool;

    public PoolingKernel(Accelerator accelerator) : base(accelerator) =>
        _pool = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, PoolGeometry>(Pool);

    [DeviceKernel]
    internal static void Pool(Index1D index, ArrayView<float> x, ArrayView<float> y, PoolGeometry g)
    {
        int i = index;
        var ox = i % g.OutWidth;
        var oy = i / g.OutWidth % g.OutHeight;
        var plane = i / (g.OutWidth * g.OutHeight);
        int y0, y1, x0, x1;
        if (g.Adaptive != 0)
        {
            y0 = oy * g.Height / g.OutHeight;
            y1 = ((oy + 1) * g.Height + g.OutHeight - 1) / g.OutHeight;
            x0 = ox * g.Width / g.OutWidth;
            x1 = ((ox + 1) * g.Width + g.OutWidth - 1) / g.OutWidth;
        }
        else
        {
            y0 = IntrinsicMath.Max(oy * g.StrideH - g.PadH, 0);
            y1 = IntrinsicMath.Min(oy * g.StrideH - g.PadH + g.KernelHeight, g.Height);
            x0 = IntrinsicMath.Max(ox * g.StrideW - g.PadW, 0);
            x1 = IntrinsicMath.Min(ox * g.StrideW - g.PadW + g.KernelWidth, g.Width);
        }
        var start = plane * g.Height * g.Width;
        var acc = g.Max != 0 ? float.NegativeInfinity : 0f;
        for (var r = y0; r < y1; r++)
        {
            for (var c = x0; c < x1; c++)
            {
                var v = x[start + r * g.Width + c];
                if (g.Max == 0) acc += v;
                else if (v > acc || float.IsNaN(v)) acc = v;
            }
        }
        if (g.Max == 0)
            acc /= g.Adaptive != 0 ? (y1 - y0) * (x1 - x0) : g.KernelHeight * g.KernelWidth;
        y[i] = acc;
    }

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var x = operands[0].Tensor;
        var y = results[0];
        var count = KernelShapes.Count(y.Shape);
        if (count == 0) return;
        var g = new PoolGeometry
        {
            Height = x.Shape[^2],
            Width = x.Shape[^1],
            OutHeight = y.Shape[^2],
            OutWidth = y.Shape[^1],
            Adaptive = node.Op.StartsWith("adaptive_", StringComparison.Ordinal) ? 1 : 0,
            Max = node.Op.Contains("max", StringComparison.Ordinal) ? 1 : 0,
        };
        if (g.Adaptive == 0)
        {
            var k = Pair(node.Attrs.GetInts("kernelSize"), null);
            var s = Pair(node.Attrs.GetInts("stride"), k);
            var p = Pair(node.Attrs.GetInts("padding"), (0, 0));
            (g.KernelHeight, g.KernelWidth, g.StrideH, g.StrideW, g.PadH, g.PadW) = (k.H, k.W, s.H, s.W, p.H, p.W);
        }
        _pool(stream, count, x.Floats, y.Floats, g);
    }

    private static (int H, int W) Pair(int[] v, (int, int)? fallback) => v.Length switch
    {
        1 => (v[0], v[0]),
        2 => (v[0], v[1]),
        _ => fallback ?? throw new ArgumentException($"a pooling window needs 1 or 2 sizes, got {v.Length}"),
    };
}
