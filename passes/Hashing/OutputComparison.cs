using DyCompile.Runtime;

namespace DyCompile.Passes.Hashing;

/// <summary>
/// Compares two results within a tolerance: same kind, dtype and shape; integer and bool elements
/// equal; float elements both NaN, equal infinities, or |a − b| ≤ absolute + relative · scale with
/// scale the largest finite magnitude in <paramref name="expected"/> (norm-wise, so cancellation in
/// one element is judged against the size of the whole result).
/// </summary>
public static class OutputComparison
{
    /// <summary>The first difference as a message, or null when the results agree.</summary>
    public static string? Difference(object expected, object actual, double relative, double absolute)
    {
        switch (expected, actual)
        {
            case (Tensor e, Tensor a):
                if (e.DType != a.DType || !e.Shape.SequenceEqual(a.Shape))
                    return $"tensor<{e.DType.ShortName()}, {Shapes.Format(e.Shape)}> vs tensor<{a.DType.ShortName()}, {Shapes.Format(a.Shape)}>";
                var scale = 0.0;
                for (var i = 0; i < e.Length; i++)
                {
                    var v = Math.Abs(e.GetAsDouble(i));
                    if (double.IsFinite(v)) scale = Math.Max(scale, v);
                }
                for (var i = 0; i < e.Length; i++)
                {
                    if (!Close(e.GetAsDouble(i), a.GetAsDouble(i), e.DType == DType.Float32, absolute + relative * scale))
                        return $"element {i}: expected {e.GetAsDouble(i)}, got {a.GetAsDouble(i)} (tolerance {absolute + relative * scale:g3})";
                }
                return null;
            case (float e, float a):
                return Close(e, a, true, absolute + relative * Math.Abs(e)) ? null : $"expected {e}, got {a}";
            default:
                return Equals(expected, actual) ? null : $"expected {expected}, got {actual}";
        }
    }

    private static bool Close(double e, double a, bool isFloat, double tolerance)
    {
        if (!isFloat) return e == a;
        if (double.IsNaN(e) || double.IsNaN(a)) return double.IsNaN(e) && double.IsNaN(a);
        if (double.IsInfinity(e) || double.IsInfinity(a)) return e == a;
        return Math.Abs(e - a) <= tolerance;
    }

    /// <summary>The first difference between two output lists, or null.</summary>
    public static string? Difference(IReadOnlyList<object> expected, IReadOnlyList<object> actual, double relative, double absolute)
    {
        if (expected.Count != actual.Count) return $"{expected.Count} outputs vs {actual.Count}";
        for (var i = 0; i < expected.Count; i++)
        {
            if (Difference(expected[i], actual[i], relative, absolute) is { } d)
                return $"output {i}: {d}";
        }
        return null;
    }
}
