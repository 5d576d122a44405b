using System.Runtime.CompilerServices;
using DyCompile.Runtime;

namespace DyCompile.DeviceCheck;

/// <summary>A forward pass's results as numbers: float tensors compared within a tolerance
/// relative to the reference's largest magnitude (engines sum in different orders and deep stacks
/// amplify rounding), everything else — exits, routes, token ids — exactly.</summary>
internal static class Outputs
{
    public const double Tolerance = 1e-3;

    public static List<(double[] Values, bool Exact)> Flatten(object? value)
    {
        var into = new List<(double[], bool)>();
        Add(value, into);
        return into;
    }

    private static void Add(object? value, List<(double[], bool)> into)
    {
        switch (value)
        {
            case null:
                return;
            case Tensor t:
                into.Add(([.. Enumerable.Range(0, t.Length).Select(t.GetAsDouble)], t.DType != DType.Float32));
                return;
            case int or long or bool:
                into.Add(([Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)], true));
                return;
            case float f:
                into.Add(([f], false));
                return;
            case ITuple tuple:
                for (var i = 0; i < tuple.Length; i++) Add(tuple[i], into);
                return;
            case IEnumerable<object> items:
                foreach (var item in items) Add(item, into);
                return;
            default:
                throw new NotSupportedException($"an output of type {value.GetType().Name}");
        }
    }

    /// <summary>Null when equal, else what differs first.</summary>
    public static string? Difference(List<(double[] Values, bool Exact)> expected, List<(double[] Values, bool Exact)> actual)
    {
        if (expected.Count != actual.Count) return $"{actual.Count} outputs, expected {expected.Count}";
        for (var o = 0; o < expected.Count; o++)
        {
            var (e, exact) = expected[o];
            var a = actual[o].Values;
            if (e.Length != a.Length) return $"output {o} has {a.Length} elements, expected {e.Length}";
            var scale = Math.Max(1, e.Select(Math.Abs).DefaultIfEmpty(0).Max());
            for (var i = 0; i < e.Length; i++)
            {
                var same = exact ? e[i] == a[i] : (double.IsNaN(e[i]) && double.IsNaN(a[i])) || Math.Abs(e[i] - a[i]) <= Tolerance * scale;
                if (!same) return $"output {o} element {i}: {a[i]} vs {e[i]}";
            }
        }
        return null;
    }
}
