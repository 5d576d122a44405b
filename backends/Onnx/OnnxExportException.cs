namespace DyCompile.Backends.Onnx;

/// <summary>A program cannot be exported to ONNX: an op has no ONNX mapping (the message names the
/// op and the value), or the control flow is not structured (the message names the block).</summary>
public sealed class OnnxExportException(string message) : Exception(message);
