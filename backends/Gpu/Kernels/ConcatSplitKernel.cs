using DyCompile.IR;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>concat and split: one strided copy per part, into or out of its place along the dim.</summary>
[GpuKernel("concat", "split", Uses = [typeof(StridedCopy)])]
public sealed class ConcatSplitKernel(Accelerator accelerator) : GpuOpKernel(accelerator)
{
    private readonly StridedCopy _copy = new(accelerator);

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var dimAttr = node.Attrs.GetInt("dim");
        if (node.Op == "concat")
        {
            var whole = results[0];
            var dim = KernelShapes.Axis("concat", dimAttr, whole.Rank);
            var strides = KernelShapes.ContiguousStrides(whole.Shape);
            var at = 0;
            foreach (var operand in operands)
            {
                var part = operand.Tensor;
                _copy.Launch(stream, part, whole, part.Shape, KernelShapes.ContiguousStrides(part.Shape), 0, strides, at * strides[dim]);
                at += part.Shape[dim];
            }
        }
        else
        {
            var whole = operands[0].Tensor;
            var dim = KernelShapes.Axis("split", dimAttr, whole.Rank);
            var strides = KernelShapes.ContiguousStrides(whole.Shape);
            var at = 0;
            foreach (var part in results)
            {
                _copy.Launch(stream, whole, part, part.Shape, strides, at * strides[dim], KernelShapes.ContiguousStrides(part.Shape), 0);
                at += part.Shape[dim];
            }
        }
    }
}
