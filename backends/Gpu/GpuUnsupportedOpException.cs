namespace DyCompile.Backends.Gpu;

/// <summary>A segment holds an op the GPU backend cannot run on the device: it is not elementwise
/// with a formula, not a view, and no <see cref="GpuOpKernel"/> implements it. Raised while
/// compiling, never at run time: the backend does not move a segment's tensors to the host and
/// back to run an op there.</summary>
public sealed class GpuUnsupportedOpException(string op, string node, string block, string? source)
    : Exception($"op '{op}' has no GPU implementation (no formula and no GPU kernel): '{node}' in block ^{block}{(source is null ? "" : $" at {source}")}")
{
    /// <summary>The catalog name of the op.</summary>
    public string Op { get; } = op;

    /// <summary>The node in the IR text form.</summary>
    public string Node { get; } = node;

    /// <summary>The host block whose segment holds the node.</summary>
    public string Block { get; } = block;

    /// <summary>Where the block is in the model source, as <c>file(line)</c>, when known.</summary>
    public string? SourceLocation { get; } = source;
}
