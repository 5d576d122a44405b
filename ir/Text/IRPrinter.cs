using System.Text;

namespace DyCompile.IR;

/// <summary>Prints programs in the MLIR-like text form that <see cref="IRParser"/> reads back:
/// <code>
/// program @name(%x: tensor&lt;f32, [1, 8]&gt;, %n: int) -> (tensor&lt;f32, [1, 8]&gt;) {
///   weight @w : tensor&lt;f32, [8, 8]&gt;
/// ^entry(%x: tensor&lt;f32, [1, 8]&gt;, %n: int):
///   %a = matmul(%x, @w) : tensor&lt;f32, [1, 8]&gt;
///   %s = sum(%a) {dims = [], keepdim = false} : tensor&lt;f32, []&gt;
///   %z = const 0 : int
///   return %a
/// }
/// </code>
/// Every node prints its result types, attributes print in catalog order, floats always carry
/// a decimal point or exponent: the output is canonical, so printing a parsed print is the identity.</summary>
public static class IRPrinter
{
    public static string Print(IRProgram program)
    {
        var sb = new StringBuilder();
        sb.Append("program @").Append(program.Name).Append('(')
          .AppendJoin(", ", program.Inputs.Select(i => $"%{i.Name}: {i.Type}"))
          .Append(") -> (").AppendJoin(", ", program.ResultTypes).Append(") {\n");
        foreach (var w in program.Weights)
            sb.Append("  weight ").Append(w.Ref).Append(" : ").Append(w.Type).Append('\n');
        foreach (var block in program.Blocks)
        {
            sb.Append(BlockHeader(block)).Append('\n');
            foreach (var instruction in block.Instructions)
                sb.Append("  ").Append(Print(instruction)).Append('\n');
        }
        return sb.Append("}\n").ToString();
    }

    /// <summary>A graph prints as the one-block program of <see cref="Graph.ToProgram"/>.</summary>
    public static string Print(Graph graph) => Print(graph.ToProgram());

    public static string BlockHeader(Block block) =>
        block.Parameters.Length == 0
            ? $"^{block.Name}:"
            : $"^{block.Name}({string.Join(", ", block.Parameters.Select(p => $"%{p.Name}: {p.Type}"))}):";

    public static string Print(Instruction instruction) => instruction switch
    {
        Node node => Print(node),
        Jump jump => "jump " + Print(jump.Target),
        Branch branch => $"branch {branch.Condition.Ref}, {Print(branch.IfTrue)}, {Print(branch.IfFalse)}",
        Return ret => ret.Values.Length == 0 ? "return" : "return " + string.Join(", ", ret.Values.Select(v => v.Ref)),
        _ => throw new ArgumentException($"unknown instruction {instruction.GetType().Name}"),
    };

    public static string Print(BlockTarget target) =>
        target.Arguments.Length == 0 ? "^" + target.Block : $"^{target.Block}({string.Join(", ", target.Arguments.Select(v => v.Ref))})";

    public static string Print(Node node)
    {
        var sb = new StringBuilder();
        if (node.Results.Length > 0)
            sb.AppendJoin(", ", node.Results.Select(r => r.Ref)).Append(" = ");
        sb.Append(node.Op);
        if (node.Payload is { } payload)
        {
            var type = node.Results.Length == 1 ? node.Results[0].Type : IRType.Float;
            var elements = payload.Values.Select(v => ConstPayload.FormatElement(v, type));
            sb.Append(' ').Append(type is TensorType ? "[" + string.Join(", ", elements) + "]" : string.Join(", ", elements));
        }
        else
        {
            sb.Append('(').AppendJoin(", ", node.Operands.Select(v => v.Ref)).Append(')');
        }
        if (node.Attrs.Count > 0)
            sb.Append(" {").AppendJoin(", ", OrderedAttrs(node).Select(kv => $"{kv.Key} = {kv.Value}")).Append('}');
        if (node.Results.Length > 0)
            sb.Append(" : ").AppendJoin(", ", node.Results.Select(r => r.Type));
        return sb.ToString();
    }

    /// <summary>Catalog order first (the kernel's parameter order), then any others as given.</summary>
    private static IEnumerable<KeyValuePair<string, AttrValue>> OrderedAttrs(Node node)
    {
        var order = node.Def?.Attributes.Select(a => a.Name).ToList() ?? [];
        return node.Attrs.OrderBy(kv => order.IndexOf(kv.Key) is var i && i >= 0 ? i : int.MaxValue);
    }
}
