using System.Globalization;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Cli.Models;

/// <summary>The short type syntax of <c>[DyCompile(Inputs = ...)]</c>: <c>f32[1,784]</c> (dtype and
/// dims, <c>?</c> for a size known only at run time), <c>int</c>, <c>float</c>, <c>bool</c>.</summary>
public static class InputTypeSpec
{
    /// <summary>The IR type, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static IRType? TryParse(string text, out string? error)
    {
        error = null;
        var s = text.Trim();
        switch (s)
        {
            case "int": return IRType.Int;
            case "float": return IRType.Float;
            case "bool": return IRType.Bool;
        }
        var open = s.IndexOf('[');
        if (open <= 0 || !s.EndsWith(']'))
        {
            error = $"'{text}' is not an input type; write a tensor as dtype[dims] (\"f32[1,784]\", \"f32[?,784]\" for a dynamic batch) or a host scalar as \"int\", \"float\" or \"bool\"";
            return null;
        }
        var dtypeName = s[..open].Trim();
        DType? dtype = Enum.GetValues<DType>().Cast<DType?>().FirstOrDefault(d => d!.Value.ShortName() == dtypeName);
        if (dtype is null)
        {
            error = $"'{dtypeName}' in '{text}' is not a dtype; use one of {string.Join(", ", Enum.GetValues<DType>().Select(d => d.ShortName()))}";
            return null;
        }
        var body = s[(open + 1)..^1].Trim();
        var dims = new List<int>();
        if (body.Length > 0)
            foreach (var part in body.Split(','))
            {
                var d = part.Trim();
                if (d == "?") dims.Add(TensorType.Dynamic);
                else if (int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var size)) dims.Add(size);
                else
                {
                    error = $"'{d}' in '{text}' is not a dimension; write a size (0 or more) or '?'";
                    return null;
                }
            }
        return new TensorType(dtype.Value, dims);
    }

    /// <summary>The short syntax of <paramref name="type"/> (the inverse of <see cref="TryParse"/>).</summary>
    public static string Format(IRType type) => type switch
    {
        TensorType t => $"{t.DType.ShortName()}[{string.Join(",", t.Shape.Select(d => d == TensorType.Dynamic ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]",
        ScalarType { Kind: ScalarKind.Int } => "int",
        ScalarType { Kind: ScalarKind.Float } => "float",
        ScalarType { Kind: ScalarKind.Bool } => "bool",
        _ => type.ToString() ?? "",
    };
}
