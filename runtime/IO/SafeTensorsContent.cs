namespace DyCompile.Runtime.IO;

/// <summary>Everything a safetensors file holds: its tensors by name and the free-form
/// string metadata of the header's <c>__metadata__</c> entry.</summary>
public sealed record SafeTensorsContent(
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, string> Metadata);
