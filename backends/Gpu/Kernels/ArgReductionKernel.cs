using DyCompile.IR;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>A row along one dim: element <c>k</c> of row <c>(o, i)</c> is at
/// <c>o·size·inner + k·inner + i</c>.</summary>
public struct RowGeometry
{
    public int Size;
    public int Inner;

    public readonly int Base(int row) => row / Inner * Size * Inner + row % Inner;
}

/// <summary>argmax and argmin: one group per row, each thread scanning its strided share, then a
/// shared-memory tree over (value, index) pairs. Ties keep the first index; NaN beats every
/// number and the first NaN wins, as eagerly.</summary>
[GpuKernel("argmax", "argmin")]
public sealed class ArgReductionKernel : GpuOpKernel
{
    private readonly Action<AcceleratorStream, KernelConfig, AnyView, ArrayView<long>, RowGeometry, int> _search;

    public ArgReductionKernel(Accelerator accelerator) : base(accelerator) =>
        _search = accelerator.LoadKernel<AnyView, ArrayView<long>, RowGeometry, int>(Search);

    [DeviceKernel(ExplicitlyGrouped = true)]
    internal static void Search(AnyView x, ArrayView<long> indices, RowGeometry g, int largest)
    {
        var values = SharedMemory.Allocate<float>(KernelGroups.MaxGroupSize);
        var longs = SharedMemory.Allocate<long>(KernelGroups.MaxGroupSize);
        var positions = SharedMemory.Allocate<int>(KernelGroups.MaxGroupSize);
        var row = Grid.IdxX;
        var start = g.Base(row);
        var t = Group.IdxX;
        var isFloat = x.Kind == ElementKind.Float32;
        var bestFloat = 0f;
        var bestLong = 0L;
        var best = -1;
        for (var k = t; k < g.Size; k += Group.DimX)
        {
            var at = start + k * g.Inner;
            if (isFloat)
            {
                var v = x.Floats[at];
                if (best < 0 || Beats(v, bestFloat, largest)) { bestFloat = v; best = k; }
            }
            else
            {
                var v = x.ReadLong(at);
                if (best < 0 || Beats(v, bestLong, largest)) { bestLong = v; best = k; }
            }
        }
        values[t] = bestFloat;
        longs[t] = bestLong;
        positions[t] = best;
        Group.Barrier();
        for (var half = Group.DimX / 2; half > 0; half /= 2)
        {
            if (t < half)
            {
                var other = positions[t + half];
                var mine = positions[t];
                var takeOther = other >= 0 && (mine < 0 || (isFloat
                    ? Better(values[t + half], other, values[t], mine, largest)
                    : Better(longs[t + half], other, longs[t], mine, largest)));
                if (takeOther)
                {
                    values[t] = values[t + half];
                    longs[t] = longs[t + half];
                    positions[t] = other;
                }
            }
            Group.Barrier();
        }
        if (t == 0) indices[row] = positions[0];
    }

    private static bool Beats(float candidate, float current, int largest) =>
        float.IsNaN(candidate) ? !float.IsNaN(current) : !float.IsNaN(current) && (largest != 0 ? candidate > current : candidate < current);

    private static bool Beats(long candidate, long current, int largest) =>
        largest != 0 ? candidate > current : candidate < current;

    /// <summary>(a, i) wins over (b, j): it beats it, or neither beats the other and i comes first.</summary>
    private static bool Better(float a, int i, float b, int j, int largest) =>
        Beats(a, b, largest) || (!Beats(b, a, largest) && i < j);

    private static bool Better(long a, int i, long b, int j, int largest) =>
        Beats(a, b, largest) || (!Beats(b, a, largest) && i < j);

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var x = operands[0].Tensor;
        var axis = KernelShapes.Axis(node.Op, node.Attrs.GetInt("dim"), x.Rank);
        var (outer, size, inner) = KernelShapes.AroundAxis(x.Shape, axis);
        var rows = outer * inner;
        if (rows == 0) return;
        if (size == 0) throw new TensorOpException(node.Op, $"dimension {node.Attrs.GetInt("dim")} of shape [{string.Join(", ", x.Shape)}] is empty");
        var config = new KernelConfig(rows, KernelGroups.PowerOfTwoGroupSize(Accelerator));
        _search(stream, config, AnyView.Of(x), results[0].As<long>(), new RowGeometry { Size = size, Inner = inner }, node.Op == "argmax" ? 1 : 0);
    }
}
