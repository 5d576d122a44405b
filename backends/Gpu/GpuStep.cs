using DyCompile.IR;

namespace DyCompile.Backends.Gpu;

/// <summary>One unit of work of a segment on the device, as the planner decided it.</summary>
public abstract record GpuStep;

/// <summary>A rendered elementwise kernel (a fused chain or a single node).</summary>
public sealed record ElementwiseStep(ElementwiseKernelSpec Spec, RenderedKernel Kernel) : GpuStep;

/// <summary>A node run by a <see cref="GpuOpKernel"/> of the op-kernel library (<see cref="DyCompile.Backends.Gpu.Kernels.GpuKernelLibrary"/>).</summary>
public sealed record OpKernelStep(Node Node, Type Kernel) : GpuStep;

/// <summary>reshape / squeeze / unsqueeze: the result aliases its operand's storage (dense
/// row-major data reads the same under any shape of its element count).</summary>
public sealed record ViewStep(Node Node) : GpuStep;

/// <summary>A host scalar op or scalar constant, evaluated on the host with no device work.</summary>
public sealed record HostScalarStep(Node Node) : GpuStep;

/// <summary>A tensor constant, uploaded once per program.</summary>
public sealed record ConstantStep(Node Node) : GpuStep;

/// <summary><c>tensor.from_scalar</c>: a host float written into a one-element tensor by a kernel
/// (an argument of the launch, so nothing waits for a copy).</summary>
public sealed record FillStep(Node Node) : GpuStep;

/// <summary><c>item</c>: the one read back to the host inside a segment (it waits for the stream).</summary>
public sealed record ReadScalarStep(Node Node) : GpuStep;

/// <summary>A conv2d, linear or matmul whose only reader adds a residual of its own shape and/or
/// applies relu: the dense kernel does both as it stores (<see cref="DyCompile.Backends.Gpu.Kernels.IDenseEpilogueKernel"/>),
/// so the product is written once, as <see cref="Output"/> (the last absorbed node's result), and
/// never read back. <see cref="Absorbed"/> are the add/relu nodes it replaces.</summary>
public sealed record DenseEpilogueStep(Node Dense, Type Kernel, Value? Residual, bool Relu, IReadOnlyList<Node> Absorbed, Value Output) : GpuStep;
