using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>How a kernel reads an input at element <c>i</c> of its result.</summary>
public enum InputAccess
{
    /// <summary>Same shape as the result: element i.</summary>
    Full,
    /// <summary>One element, broadcast: element 0.</summary>
    Single,
    /// <summary>Broadcast along some dims: the result's coordinates times the input's strides
    /// (0 along a broadcast dim); with a <c>?</c> dim the strides come from the run-time dims.</summary>
    Strided,
}

/// <summary>One elementwise kernel to render: a chain of elementwise nodes over one result shape
/// (a fused loop of <see cref="Passes.Fusion.ElementwiseLoop"/>, or a single node), the values it
/// loads and the values it stores. Every node of <see cref="Nodes"/> has a formula or is a cast.</summary>
public sealed record ElementwiseKernelSpec(IReadOnlyList<Node> Nodes, IReadOnlyList<Value> Inputs, IReadOnlyList<Value> Outputs, TensorType Shape)
{
    /// <summary>The most kernel parameters ILGPU's typed loaders take besides the index.</summary>
    public const int MaxParameters = 14;

    /// <summary>Whether the result shape has a <c>?</c> dim: then the count and dims come at run time.</summary>
    public bool IsDynamic => !Shape.IsStatic || Inputs.Any(v => v.Type is TensorType { IsStatic: false });

    public InputAccess Access(Value input)
    {
        var t = (TensorType)input.Type;
        if (t.IsStatic && t.ElementCount == 1) return InputAccess.Single;
        if (t.IsStatic && Shape.IsStatic && t.Shape.SequenceEqual(Shape.Shape)) return InputAccess.Full;
        return InputAccess.Strided;
    }

    /// <summary>Inputs read by strides, in input order (each takes a dims parameter when dynamic).</summary>
    public IReadOnlyList<Value> StridedInputs => [.. Inputs.Where(v => Access(v) == InputAccess.Strided)];

    /// <summary>Parameters of the kernel besides its index: count, stride, dims, outputs, inputs.</summary>
    public int ParameterCount => 2 + (IsDynamic ? 1 + StridedInputs.Count : 0) + Outputs.Count + Inputs.Count;

    /// <summary>Whether the kernel can be rendered: ILGPU's parameter limit, and run-time dims fit <see cref="Dims8"/>.</summary>
    public bool Renderable => ParameterCount <= MaxParameters && (!IsDynamic || Shape.Rank <= Dims8.MaxRank);

    public static DType DTypeOf(Value v) => ((TensorType)v.Type).DType;
}
