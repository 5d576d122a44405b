namespace DyCompile.Runtime.Tests;

/// <summary>Agreement of a float convolution result with a double-precision reference: each
/// element within 1e-5 of the sum of the magnitudes that went into it (rounding grows with the
/// addends, not with the possibly cancelled result).</summary>
internal static class ConvTolerance
{
    public static bool Close(double[] expected, double[] scale, float[] actual, out string failure)
    {
        failure = "";
        if (expected.Length != actual.Length)
        {
            failure = $"{actual.Length} elements, expected {expected.Length}";
            return false;
        }
        for (var i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= 1e-5 * scale[i] + 1e-7))
            {
                failure = $"element {i}: expected {expected[i]}, got {actual[i]} (scale {scale[i]})";
                return false;
            }
        return true;
    }

    public static void AssertClose(double[] expected, double[] scale, float[] actual)
    {
        if (!Close(expected, scale, actual, out var failure)) Assert.Fail(failure);
    }
}
