namespace DyCompile.IR;

/// <summary>Compares two programs by structure: names, types, ops, attributes (as sets),
/// payloads, edges. Values correspond by name, so a program and its parsed print are equal.</summary>
public static class StructuralEquality
{
    public static bool AreEqual(IRProgram a, IRProgram b) => FirstDifference(a, b) is null;

    /// <summary>A description of the first difference found, or null when equal.</summary>
    public static string? FirstDifference(IRProgram a, IRProgram b)
    {
        if (a.Name != b.Name) return $"program name @{a.Name} vs @{b.Name}";
        if (!a.Inputs.SequenceEqual(b.Inputs)) return "program inputs differ";
        if (!a.ResultTypes.SequenceEqual(b.ResultTypes)) return "result types differ";
        if (!Same(a.Weights, b.Weights)) return "weights differ";
        if (a.Blocks.Length != b.Blocks.Length) return $"{a.Blocks.Length} blocks vs {b.Blocks.Length}";
        for (var i = 0; i < a.Blocks.Length; i++)
        {
            Block x = a.Blocks[i], y = b.Blocks[i];
            if (x.Name != y.Name) return $"block {i}: ^{x.Name} vs ^{y.Name}";
            if (!Same(x.Parameters, y.Parameters)) return $"^{x.Name}: parameters differ";
            if (x.Instructions.Length != y.Instructions.Length) return $"^{x.Name}: {x.Instructions.Length} instructions vs {y.Instructions.Length}";
            for (var j = 0; j < x.Instructions.Length; j++)
                if (!Same(x.Instructions[j], y.Instructions[j]))
                    return $"^{x.Name}: instruction {j} differs: '{IRPrinter.Print(x.Instructions[j])}' vs '{IRPrinter.Print(y.Instructions[j])}'";
        }
        return null;
    }

    private static bool Same(IReadOnlyList<Value> a, IReadOnlyList<Value> b) =>
        a.Count == b.Count && a.Zip(b).All(p => Same(p.First, p.Second));

    private static bool Same(Value a, Value b) => a.Name == b.Name && a.Kind == b.Kind && a.Type == b.Type;

    private static bool Same(BlockTarget a, BlockTarget b) => a.Block == b.Block && Same(a.Arguments, b.Arguments);

    private static bool Same(Instruction a, Instruction b) => (a, b) switch
    {
        (Node x, Node y) => x.Op == y.Op && Same(x.Operands, y.Operands) && Same(x.Results, y.Results)
            && x.Attrs.Equals(y.Attrs) && Equals(x.Payload, y.Payload),
        (Jump x, Jump y) => Same(x.Target, y.Target),
        (Branch x, Branch y) => Same(x.Condition, y.Condition) && Same(x.IfTrue, y.IfTrue) && Same(x.IfFalse, y.IfFalse),
        (Return x, Return y) => Same(x.Values, y.Values),
        _ => false,
    };
}
