namespace DyCompile.Runtime;

/// <summary>Instance sugar for the shape ops; each method means exactly the op it lowers to.</summary>
public sealed partial class Tensor
{
    [LowersTo("reshape")]
    public Tensor Reshape(params int[] shape) => TensorOps.Reshape(this, shape);

    [LowersTo("transpose")]
    public Tensor Transpose(int dim0, int dim1) => TensorOps.Transpose(this, dim0, dim1);

    [LowersTo("permute")]
    public Tensor Permute(params int[] dims) => TensorOps.Permute(this, dims);

    [LowersTo("squeeze")]
    public Tensor Squeeze(params int[] dims) => TensorOps.Squeeze(this, dims);

    [LowersTo("unsqueeze")]
    public Tensor Unsqueeze(int dim) => TensorOps.Unsqueeze(this, dim);

    [LowersTo("expand")]
    public Tensor Expand(params int[] shape) => TensorOps.Expand(this, shape);

    /// <summary><paramref name="length"/> elements from <paramref name="start"/> along
    /// <paramref name="dim"/> (slice with step 1). Unlike slice, the range must lie inside the
    /// dimension, as in torch.narrow; a negative start counts from the end.</summary>
    [LowersTo("slice")]
    public Tensor Narrow(int dim, int start, int length)
    {
        var size = Dim(dim);
        var from = start < 0 ? start + size : start;
        if (from < 0 || from > size || length < 0 || (long)from + length > size)
            throw new TensorOpException("narrow", $"narrow of start {start} and length {length} does not fit dimension {dim} of size {size}");
        return TensorOps.Slice(this, dim, from, from + length, 1);
    }
}
