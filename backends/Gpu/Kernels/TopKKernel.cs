using DyCompile.IR;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>topk along a dim by rank counting: one thread per element counts the elements of its
/// row that come before it in the order (better, or equal and at a lower position); an element of
/// rank below k writes itself and its index at that rank. The order is the eager one: NaN above
/// every number, ties by lower position first. The work is size² per row, which suits the rows of
/// routing and sampling (experts, a vocabulary of hundreds).</summary>
[GpuKernel("topk")]
public sealed class TopKKernel : GpuOpKernel
{
    private readonly Action<AcceleratorStream, Index1D, AnyView, AnyView, ArrayView<long>, RowGeometry, int, int> _topk;

    public TopKKernel(Accelerator accelerator) : base(accelerator) =>
        _topk = accelerator.LoadAutoGroupedKernel<Index1D, AnyView, AnyView, ArrayView<long>, RowGeometry, int, int>(TopK);

    [DeviceKernel]
    internal static void TopK(Index1D index, AnyView x, AnyView values, ArrayView<long> indices, RowGeometry g, int k, int largest)
    {
        int i = index;
        var j = i / g.Inner % g.Size;
        var row = i / (g.Size * g.Inner) * g.Inner + i % g.Inner;
        var start = g.Base(row);
        var rank = 0;
        if (x.Kind == ElementKind.Float32)
        {
            var v = x.Floats[start + j * g.Inner];
            for (var m = 0; m < g.Size; m++)
            {
                var c = Compare(x.Floats[start + m * g.Inner], v);
                if ((largest != 0 ? c > 0 : c < 0) || (c == 0 && m < j)) rank++;
            }
        }
        else
        {
            var v = x.ReadLong(start + j * g.Inner);
            for (var m = 0; m < g.Size; m++)
            {
                var w = x.ReadLong(start + m * g.Inner);
                var c = w > v ? 1 : w < v ? -1 : 0;
                if ((largest != 0 ? c > 0 : c < 0) || (c == 0 && m < j)) rank++;
            }
        }
        if (rank >= k) return;
        var to = row / g.Inner * k * g.Inner + rank * g.Inner + row % g.Inner;
        if (x.Kind == ElementKind.Float32) values.Floats[to] = x.Floats[start + j * g.Inner];
        else values.WriteLong(to, x.ReadLong(start + j * g.Inner));
        indices[to] = j;
    }

    private static int Compare(float a, float b) =>
        float.IsNaN(a) ? (float.IsNaN(b) ? 0 : 1) : float.IsNaN(b) ? -1 : a > b ? 1 : a < b ? -1 : 0;

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var x = operands[0].Tensor;
        var axis = KernelShapes.Axis("topk", node.Attrs.GetInt("dim"), x.Rank);
        var (outer, size, inner) = KernelShapes.AroundAxis(x.Shape, axis);
        var k = node.Attrs.GetInt("k");
        var count = outer * size * inner;
        if (count == 0 || k == 0) return;
        if (k > size) throw new TensorOpException("topk", $"k = {k} is out of range for a dimension of size {size}");
        _topk(stream, count, AnyView.Of(x), AnyView.Of(results[0]), results[1].As<long>(), new RowGeometry { Size = size, Inner = inner }, k, node.Attrs.GetBool("largest") ? 1 : 0);
    }
}
