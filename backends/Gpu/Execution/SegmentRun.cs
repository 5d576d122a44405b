using System.Collections.Immutable;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>One call of a segment, or of its weight-only work: enqueues steps on the stream in
/// order. Values live in <c>values</c> (a slot per segment value): device tensors and boxed host
/// scalars. Result shapes are the static types where they are static, else the catalog's shape
/// rule applied to the operands' run-time shapes.</summary>
internal sealed class SegmentRun(GpuProgram program, AcceleratorStream stream, GpuSegmentPlan segment, object?[] values, Func<Value, ImmutableArray<int>, DeviceTensor> place, Action<DeviceTensor, DeviceTensor> alias, HostCallbacks callbacks, ScalarReadback? readback = null)
{
    /// <summary>Enqueues the segment's per-call steps.</summary>
    public void Execute() => Execute(segment.Steps, weightOnly: false);

    /// <param name="weightOnly">Whether the steps are weight-only work (counted by <see cref="GpuTransfers.WeightOnlyLaunches"/>).</param>
    public void Execute(IEnumerable<GpuStep> steps, bool weightOnly)
    {
        foreach (var step in steps)
        {
            if (step is ElementwiseStep or OpKernelStep or DenseEpilogueStep or FillStep) GpuTransfers.Launch();
            if (weightOnly && step is ElementwiseStep or OpKernelStep) GpuTransfers.WeightOnlyLaunch();
            switch (step)
            {
                case ElementwiseStep e:
                    LaunchElementwise(e);
                    break;
                case OpKernelStep k:
                    var operands = k.Node.Operands.Select(v => Get(v) is DeviceTensor t ? GpuOperand.Of(t) : GpuOperand.HostInt(Convert.ToInt64(Get(v), System.Globalization.CultureInfo.InvariantCulture))).ToArray();
                    var shapes = ResultShapes(k.Node, operands);
                    var results = k.Node.Results.Select((r, i) => place(r, shapes[i])).ToArray();
                    program.OpKernels[k.Kernel].Launch(stream, k.Node, operands, results);
                    for (var i = 0; i < results.Length; i++) Set(k.Node.Results[i], results[i]);
                    break;
                case DenseEpilogueStep d:
                    var denseOperands = d.Dense.Operands.Select(v => GpuOperand.Of((DeviceTensor)Get(v))).ToArray();
                    var output = place(d.Output, ResultShapes(d.Dense, denseOperands)[0]);
                    var residual = d.Residual is { } residualValue ? (DeviceTensor)Get(residualValue) : null;
                    ((Kernels.IDenseEpilogueKernel)program.OpKernels[d.Kernel]).Launch(stream, d.Dense, denseOperands, [output], new Kernels.DenseEpilogue(residual, d.Relu));
                    Set(d.Output, output);
                    break;
                case ViewStep v:
                    var x = (DeviceTensor)Get(v.Node.Operands[0]);
                    var view = new DeviceTensor(x.Bytes, x.DType, ResultShapes(v.Node, [GpuOperand.Of(x)])[0]);
                    alias(view, x);
                    Set(v.Node.Result, view);
                    break;
                case HostScalarStep h:
                    var scalars = h.Node.Operands.Select(Get).ToArray();
                    Set(h.Node.Result, h.Node.Op switch
                    {
                        "const" => Interpreter.Constant(h.Node),
                        "host.call" => callbacks.Invoke((int)scalars[0], scalars[1..]),
                        "host.dim" when scalars[0] is DeviceTensor d => d.Dim((int)scalars[1]),
                        _ => HostEvaluator.Evaluate(h.Node.Op, scalars),
                    });
                    break;
                case ConstantStep c:
                    Set(c.Node.Result, program.Constants[c.Node]);
                    break;
                case FillStep f:
                    var target = place(f.Node.Result, []);
                    program.Device.Fill(stream, 1, target.As<float>(), (float)Get(f.Node.Operands[0]));
                    Set(f.Node.Result, target);
                    break;
                case ReadScalarStep r:
                    var scalarReads = readback ?? throw new InvalidOperationException($"{r.Node.Result.Ref} reads a scalar back where no execution state reads back (weight-only work)");
                    Set(r.Node.Result, scalarReads.Read(stream, (DeviceTensor)Get(r.Node.Operands[0])));
                    break;
                default:
                    throw new InvalidOperationException($"no device execution for {step.GetType().Name}");
            }
        }
    }

    private object Get(Value v) => values[segment.Slots[v]] ?? throw new InvalidOperationException($"{v.Ref} has no value yet");

    private void Set(Value v, object value) => values[segment.Slots[v]] = value;

    private void LaunchElementwise(ElementwiseStep e)
    {
        var spec = e.Spec;
        var inputs = spec.Inputs.Select(v => (DeviceTensor)Get(v)).ToArray();
        ImmutableArray<int> shape;
        if (spec.Shape.IsStatic) shape = spec.Shape.Shape;
        else
        {
            // A kernel over a `?` shape is a single node: its shape rule gives the run-time shape.
            var node = spec.Nodes[0];
            shape = ResultShapes(node, [.. node.Operands.Select(v => GpuOperand.Of((DeviceTensor)Get(v)))])[0];
        }
        var tensors = new DeviceTensor[spec.Outputs.Count + inputs.Length];
        for (var k = 0; k < spec.Outputs.Count; k++) tensors[k] = place(spec.Outputs[k], shape);
        inputs.CopyTo(tensors, spec.Outputs.Count);
        Dims8[] dims = [];
        if (spec.IsDynamic)
        {
            var rank = shape.Length;
            var strided = spec.StridedInputs;
            dims = new Dims8[1 + strided.Count];
            dims[0] = Dims8.Of(shape.AsSpan(), rank);
            for (var k = 0; k < strided.Count; k++) dims[1 + k] = Dims8.Of(((DeviceTensor)Get(strided[k])).Shape.AsSpan(), rank);
        }
        program.ElementwiseKernels[e.Kernel.ClassName].Launch(stream, tensors[0].Length, tensors, dims);
        for (var k = 0; k < spec.Outputs.Count; k++) Set(spec.Outputs[k], tensors[k]);
    }

    private static ImmutableArray<int>[] ResultShapes(Node node, IReadOnlyList<GpuOperand> operands)
    {
        if (node.Results.All(r => r.Type is TensorType { IsStatic: true }))
            return [.. node.Results.Select(r => ((TensorType)r.Type).Shape)];
        var types = node.Operands.Select((v, i) => v.Type is TensorType t ? (IRType)new TensorType(t.DType, operands[i].Tensor.Shape) : v.Type).ToList();
        var inferred = OpCatalog.Infer(node.Op, types, node.Attrs).Unwrap();
        return [.. inferred.Select(t => ((TensorType)t).Shape)];
    }
}
