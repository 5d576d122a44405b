namespace DyCompile.Runtime.Tests;

/// <summary>Independent, deliberately naive references for the kernel tests: index arithmetic
/// element by element, no strides shared with the runtime.</summary>
internal static class KernelReference
{
    public static int Count(int[] shape) => shape.Aggregate(1, (n, d) => n * d);

    public static int[] BroadcastShape(params int[][] shapes)
    {
        var rank = shapes.Max(s => s.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var size = 1;
            foreach (var s in shapes)
            {
                var d = i - (rank - s.Length) >= 0 ? s[i - (rank - s.Length)] : 1;
                if (d != 1) size = d;
            }
            result[i] = size;
        }
        return result;
    }

    /// <summary>Row-major multi-index of a flat position.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            index[i] = flat % shape[i];
            flat /= shape[i];
        }
        return index;
    }

    /// <summary>Flat position in an operand of <paramref name="shape"/> read by output
    /// multi-index <paramref name="outIndex"/> under broadcasting.</summary>
    public static int OperandOffset(int[] outIndex, int[] shape)
    {
        var offset = 0;
        var lead = outIndex.Length - shape.Length;
        for (var i = 0; i < shape.Length; i++)
            offset = offset * shape[i] + (shape[i] == 1 ? 0 : outIndex[lead + i]);
        return offset;
    }

    public static float[] Binary(float[] a, int[] aShape, float[] b, int[] bShape, Func<float, float, float> f)
    {
        var shape = BroadcastShape(aShape, bShape);
        var result = new float[Count(shape)];
        for (var i = 0; i < result.Length; i++)
        {
            var index = Unravel(i, shape);
            result[i] = f(a[OperandOffset(index, aShape)], b[OperandOffset(index, bShape)]);
        }
        return result;
    }

    public static float[] Range(int count, float start = 0, float step = 1) =>
        Enumerable.Range(0, count).Select(i => start + step * i).ToArray();

    /// <summary>Deterministic pseudo-random floats in [-scale, scale).</summary>
    public static float[] Random(int count, int seed, float scale = 3f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    public static void Close(float expected, float actual, double relative = 1e-6, double absolute = 1e-6)
    {
        if (float.IsNaN(expected))
        {
            Assert.True(float.IsNaN(actual), $"expected NaN, got {actual}");
            return;
        }
        if (float.IsInfinity(expected))
        {
            Assert.Equal(expected, actual);
            return;
        }
        var tolerance = absolute + relative * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected:R}, got {actual:R} (tolerance {tolerance:G3})");
    }

    public static void AllClose(float[] expected, Tensor actual, double relative = 1e-6, double absolute = 1e-6)
    {
        Assert.Equal(DType.Float32, actual.DType);
        Assert.Equal(expected.Length, actual.Length);
        var values = actual.Floats;
        for (var i = 0; i < expected.Length; i++)
        {
            try
            {
                Close(expected[i], values[i], relative, absolute);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"element {i}: {e.Message}");
            }
        }
    }
}
