using DyCompile.IR;
using DyCompile.Runtime;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>The ops that only move data within one tensor: a dense copy for the ops that keep the
/// row-major order (reshape, squeeze, unsqueeze; the program may alias those instead), a strided
/// copy for the others.</summary>
[GpuKernel("reshape", "squeeze", "unsqueeze", "transpose", "permute", "expand", "slice", "narrow", Uses = [typeof(StridedCopy)])]
public sealed class LayoutOpKernel(Accelerator accelerator) : GpuOpKernel(accelerator)
{
    private readonly StridedCopy _copy = new(accelerator);

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var x = operands[0].Tensor;
        var y = results[0];
        var shape = x.Shape;
        var strides = KernelShapes.ContiguousStrides(shape);
        switch (node.Op)
        {
            case "reshape" or "squeeze" or "unsqueeze":
                StridedCopy.Dense(stream, x, y);
                return;
            case "transpose":
            {
                if (x.Rank == 0) { StridedCopy.Dense(stream, x, y); return; }
                int a = KernelShapes.Axis("transpose", node.Attrs.GetInt("dim0"), x.Rank), b = KernelShapes.Axis("transpose", node.Attrs.GetInt("dim1"), x.Rank);
                var perm = Enumerable.Range(0, x.Rank).ToArray();
                (perm[a], perm[b]) = (perm[b], perm[a]);
                Permuted(stream, x, y, perm, strides);
                return;
            }
            case "permute":
                Permuted(stream, x, y, [.. node.Attrs.GetInts("dims").Select(d => KernelShapes.Axis("permute", d, x.Rank))], strides);
                return;
            case "expand":
            {
                var lead = y.Rank - x.Rank;
                var source = new int[y.Rank];
                for (var i = lead; i < y.Rank; i++)
                    source[i] = shape[i - lead] == 1 && y.Shape[i] != 1 ? 0 : strides[i - lead];
                _copy.Launch(stream, x, y, y.Shape, source, 0, KernelShapes.ContiguousStrides(y.Shape), 0);
                return;
            }
            case "slice":
            {
                var dim = KernelShapes.Axis("slice", node.Attrs.GetInt("dim"), x.Rank);
                var n = shape[dim];
                long start = node.Attrs.GetInt("start");
                start = Math.Clamp(start < 0 ? start + n : start, 0, n);
                var source = (int[])strides.Clone();
                source[dim] *= node.Attrs.GetInt("step");
                _copy.Launch(stream, x, y, y.Shape, source, checked((int)(start * strides[dim])), KernelShapes.ContiguousStrides(y.Shape), 0);
                return;
            }
            case "narrow":
            {
                var dim = KernelShapes.Axis("narrow", node.Attrs.GetInt("dim"), x.Rank);
                var length = node.Attrs.GetInt("length");
                var start = operands[1].HostIntValue;
                var size = shape[dim];
                var from = start < 0 ? start + size : start;
                // The start is a host int, so the range is checked here, as eagerly.
                if (from < 0 || from > size || length < 0 || from + length > size)
                    throw new TensorOpException("narrow", $"narrow of start {start} and length {length} does not fit dimension {node.Attrs.GetInt("dim")} of size {size}");
                _copy.Launch(stream, x, y, y.Shape, strides, checked((int)(from * strides[dim])), KernelShapes.ContiguousStrides(y.Shape), 0);
                return;
            }
            default:
                throw new NotSupportedException($"{nameof(LayoutOpKernel)} does not implement '{node.Op}'");
        }
    }

    private void Permuted(AcceleratorStream stream, DeviceTensor x, DeviceTensor y, int[] perm, int[] strides) =>
        _copy.Launch(stream, x, y, y.Shape, [.. perm.Select(p => strides[p])], 0, KernelShapes.ContiguousStrides(y.Shape), 0);
}
