namespace DyCompile.IR;

/// <summary>Common cost estimates. Bytes count every tensor operand read once and every
/// tensor result written once; dynamic dimensions count as 1.</summary>
public static class CostRules
{
    public static long Bytes(OpCall call, IReadOnlyList<IRType> results) =>
        call.Operands.OfType<TensorType>().Sum(t => t.Bytes) + results.OfType<TensorType>().Sum(t => t.Bytes);

    public static long ResultElements(IReadOnlyList<IRType> results) =>
        results.OfType<TensorType>().Sum(t => t.ElementCount);

    /// <summary>Pure data movement (reshape, transpose, concat, ...): no arithmetic.</summary>
    public static OpCost MemoryOnly(OpCall call, IReadOnlyList<IRType> results) => new(0, Bytes(call, results));

    /// <summary><paramref name="flopsPerElement"/> operations per result element.</summary>
    public static CostRule PerResultElement(long flopsPerElement) =>
        (call, results) => new(flopsPerElement * ResultElements(results), Bytes(call, results));

    /// <summary><paramref name="flopsPerElement"/> operations per element of the first operand.</summary>
    public static CostRule PerInputElement(long flopsPerElement) =>
        (call, results) => new(flopsPerElement * call.Tensor(0).ElementCount, Bytes(call, results));

    /// <summary>A host scalar operation: one operation, nothing moved on the device.</summary>
    public static OpCost Host(OpCall call, IReadOnlyList<IRType> results) => new(1, 0);
}
