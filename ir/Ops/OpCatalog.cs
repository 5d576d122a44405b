using System.Collections.Frozen;

namespace DyCompile.IR;

/// <summary>The one table of ops: every tensor op of the runtime (one per <c>[OpKernel]</c>), the
/// host-scalar ops and <c>const</c>. Shape inference and cost estimation go through here.</summary>
public static class OpCatalog
{
    private static readonly FrozenDictionary<string, OpDef> _ops =
        ElementwiseOps.Define()
            .Concat(LinearAlgebraOps.Define())
            .Concat(ConvolutionOps.Define())
            .Concat(NormalizationOps.Define())
            .Concat(ReductionOps.Define())
            .Concat(ShapeOps.Define())
            .Concat(IndexingOps.Define())
            .Concat(HostOps.Define())
            .ToFrozenDictionary(op => op.Name);

    public static IEnumerable<OpDef> All => _ops.Values.OrderBy(op => op.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out OpDef op) => _ops.TryGetValue(name, out op!);

    public static OpDef Get(string name) =>
        _ops.TryGetValue(name, out var op) ? op : throw new KeyNotFoundException($"unknown op '{name}'");

    /// <summary>Checks operand count and attributes, then applies the shape rule. Returns the
    /// result types, or an error message naming the op and the operand types.</summary>
    public static InferResult Infer(string name, IReadOnlyList<IRType> operands, Attrs attrs)
    {
        if (!TryGet(name, out var op)) return InferResult.Error(name, "unknown op");
        var signatureError = CheckSignature(op, operands.Count, attrs);
        if (signatureError is not null) return InferResult.Error(name, signatureError);
        try
        {
            return InferResult.Ok(name, op.Rule(new OpCall(op, operands, attrs)));
        }
        catch (IRTypeException e) when (e.Op == name)
        {
            return InferResult.Error(name, $"{e.Detail} (operands: {string.Join(", ", operands)})");
        }
    }

    /// <summary>The first problem with the operand count or attributes of an application, or null.</summary>
    public static string? CheckSignature(OpDef op, int operandCount, Attrs attrs) =>
        CheckOperandCount(op, operandCount) ?? CheckAttributes(op, attrs).FirstOrDefault();

    public static string? CheckOperandCount(OpDef op, int operandCount) =>
        op.Variadic
            ? operandCount >= 1 ? null : $"expects at least one operand, got none"
            : operandCount == op.Operands.Length ? null
            : $"expects {op.Operands.Length} operand(s) ({string.Join(", ", op.Operands)}), got {operandCount}";

    /// <summary>Every attribute problem (messages without the op name): missing, unknown, or of the wrong kind.</summary>
    public static IEnumerable<string> CheckAttributes(OpDef op, Attrs attrs)
    {
        foreach (var def in op.Attributes)
        {
            var value = attrs[def.Name];
            if (value is null) yield return $"missing attribute '{def.Name}' ({AttrValue.KindName(def.Kind)})";
            else if (value.Kind != def.Kind) yield return $"attribute '{def.Name}' must be {AttrValue.KindName(def.Kind)}, got {AttrValue.KindName(value.Kind)} {value}";
        }
        foreach (var (name, _) in attrs)
            if (op.FindAttribute(name) is null)
                yield return $"unknown attribute '{name}'" + (op.Attributes.Length == 0 ? " (the op takes none)" : $" (expected {string.Join(", ", op.Attributes.Select(a => a.Name))})");
    }

    /// <summary>Estimated FLOPs and bytes of an application whose result types are known.</summary>
    public static OpCost Cost(string name, IReadOnlyList<IRType> operands, Attrs attrs, IReadOnlyList<IRType> results)
    {
        var op = Get(name);
        return op.Cost(new OpCall(op, operands, attrs), results);
    }
}
