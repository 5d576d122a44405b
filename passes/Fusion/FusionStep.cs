using DyCompile.IR;

namespace DyCompile.Passes.Fusion;

/// <summary>One unit of work of a segment after fusion: a single node, or a fused elementwise loop.</summary>
public abstract record FusionStep
{
    /// <summary>Values the step reads that it does not define.</summary>
    public abstract IReadOnlyList<Value> Reads { get; }

    /// <summary>Values the step makes visible to later steps (loop temporaries are not among them).</summary>
    public abstract IReadOnlyList<Value> Defines { get; }
}

/// <summary>A node run on its own: a kernel call, a host scalar op or a constant.</summary>
public sealed record NodeStep(Node Node) : FusionStep
{
    public override IReadOnlyList<Value> Reads => Node.Operands;

    public override IReadOnlyList<Value> Defines => Node.Results;
}

/// <summary>A chain of f32 elementwise nodes over one static shape run as one loop: each element
/// is loaded once, every intermediate stays in a register, and only <see cref="Outputs"/> (values
/// read after the loop) are stored. Inputs have the loop's shape or hold a single element (broadcast).
/// When the loop directly follows a matmul, linear or conv2d whose result it consumes, it is that
/// kernel's epilogue (<see cref="EpilogueOf"/>): it runs on the freshly written, cache-hot result.</summary>
public sealed record ElementwiseLoop(IReadOnlyList<Node> Nodes, IReadOnlyList<Value> Inputs, IReadOnlyList<Value> Outputs, TensorType Shape, Node? EpilogueOf) : FusionStep
{
    public override IReadOnlyList<Value> Reads => Inputs;

    public override IReadOnlyList<Value> Defines => Outputs;
}
