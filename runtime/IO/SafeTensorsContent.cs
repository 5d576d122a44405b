namespace DyCompile.Runtime;

/// <summary>Everything a safetensors file holds: its tensors by name and the free-form
/// string metadata of the header's <c>__metadata__</c> entry.</summary>
public sealed record SafeTensorsContent(
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The dtype each tensor is stored as in the file ("F32", "BF16", ...). It differs
    /// from the loaded tensor's dtype for F16, BF16 and F64, which load converted to f32.</summary>
    public IReadOnlyDictionary<string, string> StoredDTypes { get; init; } = new Dictionary<string, string>().AsReadOnly();
}
