namespace DyCompile.Backends.Onnx;

/// <summary>The ONNX opset the exporter targets (If and Loop with subgraphs; ONNX Runtime 1.31 supports it).</summary>
public static class OnnxOpset
{
    public const int Version = 17;
}
