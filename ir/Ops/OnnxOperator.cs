using System.Collections.Immutable;

namespace DyCompile.IR;

/// <summary>The ONNX operator (default domain) that computes an op: the op's operands are its
/// first inputs, followed by <see cref="ExtraInputs"/> as 0-d float constants; its float
/// attributes are <see cref="FloatAttributes"/>. Values are formula expressions over the node's
/// float attributes and literals, so <c>LeakyRelu</c>'s <c>alpha</c> reads the IR node's
/// <c>negative_slope</c> and <c>HardSigmoid</c>'s <c>alpha</c> is the literal 1/6.</summary>
/// <param name="OpType">The ONNX operator's name.</param>
/// <param name="Since">The opset that introduced the operator in its present form; an exporter that
/// targets an older opset exports the op's formula instead.</param>
public sealed record OnnxOperator(string OpType, int Since = 1)
{
    public ImmutableArray<(string Name, ScalarExpr Value)> FloatAttributes { get; init; } = [];

    public ImmutableArray<ScalarExpr> ExtraInputs { get; init; } = [];
}
