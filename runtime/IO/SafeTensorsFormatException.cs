namespace DyCompile.Runtime;

/// <summary>A safetensors file is malformed. The message names the offending tensor or header
/// field. The loader reports every content problem with this one exception type.</summary>
public sealed class SafeTensorsFormatException(string message, Exception? inner = null)
    : Exception($"safetensors: {message}", inner);
