using DyCompile.IR;

namespace DyCompile.Passes.Fusion;

/// <summary>One unit of work of a segment after fusion: a single node, or a fused elementwise loop.</summary>
public abstract record FusionStep
{
    /// <summary>Values the step reads that it does not define.</summary>
    public abstract IReadOnlyList<Value> Reads { get; }

    /// <summary>Values the step makes visible to later steps (loop temporaries are not among them).</summary>
    public abstract IReadOnlyList<Value> Defines { get; }

    /// <summary>Reads whose buffer the step may write its results into: it loads each of their
    /// elements before it stores the result element at the same index.</summary>
    public virtual IReadOnlyList<Value> ReadsElementwise => [];
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

    public override IReadOnlyList<Value> ReadsElementwise => Inputs;
}

/// <summary>A conv2d whose only reader adds a residual of its own shape and/or applies relu: the
/// convolution kernel does both in registers before it stores, so the result is written once and
/// never read back (<c>TensorOps.Conv2dFusedInto</c>). <see cref="Absorbed"/> are the add/relu
/// nodes it replaces; <see cref="Output"/> is the last one's result. The residual may share the
/// output's buffer: each element is read before it is written.</summary>
public sealed record ConvolutionEpilogue(Node Convolution, Value? Residual, bool Relu, IReadOnlyList<Node> Absorbed, Value Output) : FusionStep
{
    public override IReadOnlyList<Value> Reads => Residual is null ? Convolution.Operands : [.. Convolution.Operands, Residual];

    public override IReadOnlyList<Value> Defines => [Output];

    /// <summary>The residual, unless the convolution also reads it as its input (which it reads whole).</summary>
    public override IReadOnlyList<Value> ReadsElementwise => Residual is null || Convolution.Operands.Contains(Residual) ? [] : [Residual];
}

/// <summary>A linear layer whose only reader is gelu: the GEMM applies gelu to each block of the
/// result it finishes, on the core that computed it, so the activation costs no second pass over
/// the result (<c>GemmEpilogue.Gelu</c>). <see cref="Output"/> is gelu's result; the linear's own
/// result is never stored on its own.</summary>
public sealed record LinearEpilogue(Node Linear, Node Activation, Value Output) : FusionStep
{
    public override IReadOnlyList<Value> Reads => Linear.Operands;

    public override IReadOnlyList<Value> Defines => [Output];
}

/// <summary>An inference batch_norm whose only reader is relu: the kernel clamps each plane as it
/// writes it (<c>TensorOps.BatchNormReluInto</c>), so the normalized tensor is written once and
/// never read back. A pre-activation residual block (bn → relu → conv) cannot fold its batch norm
/// into a convolution, since the block's input is also its residual. <see cref="Output"/> is relu's result.</summary>
public sealed record BatchNormEpilogue(Node BatchNorm, Node Relu, Value Output) : FusionStep
{
    public override IReadOnlyList<Value> Reads => BatchNorm.Operands;

    public override IReadOnlyList<Value> Defines => [Output];

    /// <summary>The input: each element is read before the result at its index is stored.</summary>
    public override IReadOnlyList<Value> ReadsElementwise => [BatchNorm.Operands[0]];
}

/// <summary>A matmul that reads its operands through the transposes or permutes that made them
/// (and a first operand through its multiplication by a one-element <see cref="Scale"/>), and
/// stores its result through the transpose or permute that is its only reader: attention's heads
/// read in place out of the [batch, tokens, heads, dim] projections, kᵀ read as a transposed
/// operand, the weighted values stored straight back into [batch, tokens, heads, dim]
/// (<c>TensorOps.PermutedMatMulInto</c>). Each order is the absorbed node's (the source dim of each
/// dim), the identity where nothing was absorbed; <see cref="Absorbed"/> are the transposes,
/// permutes and the mul in program order, the matmul among them; <see cref="Output"/> is the last
/// one's result.</summary>
public sealed record PermutedProduct(Node MatMul, Value A, IReadOnlyList<int> AOrder, Value B, IReadOnlyList<int> BOrder, Value? Scale,
    IReadOnlyList<int> ResultOrder, IReadOnlyList<Node> Absorbed, Value Output) : FusionStep
{
    public override IReadOnlyList<Value> Reads => Scale is null ? [A, B] : [A, B, Scale];

    public override IReadOnlyList<Value> Defines => [Output];
}
