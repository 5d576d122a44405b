namespace DyCompile.Runtime;

/// <summary>What a GEMM applies to each block of C once the block's product is complete, on the
/// core that computed it and while the block is still in its cache: a linear layer's activation
/// without a second pass over the result.</summary>
public enum GemmEpilogue
{
    /// <summary>C is left as the product.</summary>
    None,

    /// <summary>Exact GELU, x·Φ(x), of every element (the values of <see cref="TensorOps.Gelu"/>).</summary>
    Gelu,
}
