using System.Globalization;
using System.Text;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Backends.Cpu;

/// <summary>How IR types, literals, names and host scalar ops are spelled in generated C#.</summary>
public static class CSharpSyntax
{
    /// <summary>A valid identifier derived from an IR name (letters, digits and '_' kept).</summary>
    public static string Identifier(string prefix, string name)
    {
        var sb = new StringBuilder(prefix);
        foreach (var c in name) sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return sb.ToString();
    }

    /// <summary>A parameter name for an IR name: verbatim (<c>@in</c>), so C# keywords are fine.</summary>
    public static string ParameterName(string name)
    {
        var id = Identifier("", name);
        return id.Length > 0 && (char.IsAsciiLetter(id[0]) || id[0] == '_') ? "@" + id : "p_" + id;
    }

    public static string TypeOf(IRType type) => type switch
    {
        TensorType => "Tensor",
        ScalarType { Kind: ScalarKind.Int } => "int",
        ScalarType { Kind: ScalarKind.Float } => "float",
        _ => "bool",
    };

    public static string Float(float value) =>
        float.IsNaN(value) ? "float.NaN"
        : float.IsPositiveInfinity(value) ? "float.PositiveInfinity"
        : float.IsNegativeInfinity(value) ? "float.NegativeInfinity"
        : value.ToString("R", CultureInfo.InvariantCulture) + "f";

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    public static string DTypeName(DType dtype) => "DType." + dtype;

    public static string ElementType(DType dtype) => dtype switch
    {
        DType.Float32 => "float",
        DType.Int32 => "int",
        DType.Int64 => "long",
        _ => "bool",
    };

    /// <summary>The span accessor of a tensor of <paramref name="dtype"/> (<c>Floats</c>, ...).</summary>
    public static string Span(DType dtype) => dtype switch
    {
        DType.Float32 => "Floats",
        DType.Int32 => "Ints",
        DType.Int64 => "Longs",
        _ => "Bools",
    };

    public static string Shape(IEnumerable<int> shape) => string.Join(", ", shape.Select(d => Int(d)));

    /// <summary>A scalar constant node's value as a C# literal.</summary>
    public static string ScalarConst(Node node) => node.Result.Type switch
    {
        ScalarType { Kind: ScalarKind.Int } => Int((int)node.Payload!.Values[0]),
        ScalarType { Kind: ScalarKind.Float } => Float((float)node.Payload!.Values[0]),
        _ => Bool(node.Payload!.Values[0] != 0),
    };

    /// <summary>A host scalar op as a C# expression over operand expressions, with the semantics of
    /// the IR's host evaluator (C# arithmetic; to_int truncates and saturates; eq is Equals, so NaN equals NaN).</summary>
    public static string HostExpression(Node node, IReadOnlyList<string> x)
    {
        var isFloat = node.Operands.Length > 0 && node.Operands[0].Type == IRType.Float;
        return node.Op switch
        {
            "host.add" => $"unchecked({x[0]} + {x[1]})",
            "host.sub" => $"unchecked({x[0]} - {x[1]})",
            "host.mul" => $"unchecked({x[0]} * {x[1]})",
            "host.div" => $"({x[0]} / {x[1]})",
            "host.min" => isFloat ? $"MathF.Min({x[0]}, {x[1]})" : $"Math.Min({x[0]}, {x[1]})",
            "host.max" => isFloat ? $"MathF.Max({x[0]}, {x[1]})" : $"Math.Max({x[0]}, {x[1]})",
            "host.neg" => $"unchecked(-{x[0]})",
            "host.abs" => isFloat ? $"MathF.Abs({x[0]})" : $"Math.Abs({x[0]})",
            "host.sqrt" => $"MathF.Sqrt({x[0]})",
            "host.exp" => $"MathF.Exp({x[0]})",
            "host.log" => $"MathF.Log({x[0]})",
            "host.round" => $"MathF.Round({x[0]})",
            "host.floor" => $"MathF.Floor({x[0]})",
            "host.ceil" => $"MathF.Ceiling({x[0]})",
            "host.pow" => $"MathF.Pow({x[0]}, {x[1]})",
            "host.isnan" => $"float.IsNaN({x[0]})",
            "host.isinf" => $"float.IsInfinity({x[0]})",
            "host.lt" => $"({x[0]} < {x[1]})",
            "host.le" => $"({x[0]} <= {x[1]})",
            "host.gt" => $"({x[0]} > {x[1]})",
            "host.ge" => $"({x[0]} >= {x[1]})",
            "host.eq" => $"{x[0]}.Equals({x[1]})",
            "host.ne" => $"!{x[0]}.Equals({x[1]})",
            "host.and" => $"({x[0]} && {x[1]})",
            "host.or" => $"({x[0]} || {x[1]})",
            "host.not" => $"!{x[0]}",
            "host.select" => $"({x[0]} ? {x[1]} : {x[2]})",
            "host.dim" => $"{x[0]}.Dim({x[1]})",
            "host.to_float" => node.Operands[0].Type == IRType.Bool ? $"({x[0]} ? 1f : 0f)" : $"(float){x[0]}",
            "host.to_int" => node.Operands[0].Type == IRType.Bool ? $"({x[0]} ? 1 : 0)" : $"(int){x[0]}",
            _ => throw new NotSupportedException($"no C# form for host op '{node.Op}'"),
        };
    }
}
