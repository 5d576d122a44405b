
namespace DyCompile.IR;

/// <summary>Estimated work of one op application: arithmetic operations and bytes read plus written.</summary>
public readonly record struct OpCost(long Flops, long Bytes)
{
    public static OpCost operator +(OpCost a, OpCost b) => new(a.Flops + b.Flops, a.Bytes + b.Bytes);
}
