using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>The type of an IR value: a host scalar (<see cref="ScalarType"/>) or a tensor
/// (<see cref="TensorType"/>). Types are immutable and compare by value.</summary>
public abstract record IRType
{
    public static ScalarType Int { get; } = new(ScalarKind.Int);
    public static ScalarType Float { get; } = new(ScalarKind.Float);
    public static ScalarType Bool { get; } = new(ScalarKind.Bool);

    public static TensorType Tensor(DType dtype, params int[] shape) => new(dtype, shape);

    public static TensorType F32(params int[] shape) => new(DType.Float32, shape);

    public bool IsTensor => this is TensorType;

    /// <summary>The text form, as printed in programs (<c>int</c>, <c>tensor&lt;f32, [2, ?]&gt;</c>).</summary>
    public abstract override string ToString();
}
