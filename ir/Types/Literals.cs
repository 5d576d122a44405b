using System.Globalization;

namespace DyCompile.IR;

/// <summary>Canonical text of literals, shared by the printer and attribute/constant formatting.</summary>
public static class Literals
{
    /// <summary>A float that reads back to the same bits and never looks like an int
    /// (<c>1.0</c>, not <c>1</c>), so the text form stays unambiguous.</summary>
    public static string FormatFloat(float value)
    {
        if (float.IsNaN(value)) return "nan";
        if (float.IsPositiveInfinity(value)) return "inf";
        if (float.IsNegativeInfinity(value)) return "-inf";
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }
}
