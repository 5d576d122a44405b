namespace DyCompile.Runtime.Tests;

/// <summary>Straightforward reference implementations (triple loops, direct convolution) and
/// comparison helpers for the dense kernel tests. Accumulation is in double so the references
/// are more accurate than the kernels under test.</summary>
internal static class DenseReference
{
    public static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var data = new float[length];
        for (var i = 0; i < length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }

    public static Tensor RandomTensor(int seed, params int[] shape) => Tensor.FromArray(Random(Shapes.ElementCount(shape), seed), shape);

    /// <summary>C[m×n] = op(A)·op(B) with op as in Gemm.Sgemm.</summary>
    public static float[] MatMul(bool transA, bool transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb)
    {
        var c = new float[m * n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < k; p++)
                    sum += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * n + j] = (float)sum;
            }
        return c;
    }

    public static float[] Conv2d(Tensor input, Tensor weight, float[] bias, (int H, int W) stride, (int H, int W) pad, (int H, int W) dil, int groups)
    {
        int n = input.Dim(0), c = input.Dim(1), h = input.Dim(2), w = input.Dim(3);
        int o = weight.Dim(0), cg = weight.Dim(1), kh = weight.Dim(2), kw = weight.Dim(3);
        var oh = (h + 2 * pad.H - dil.H * (kh - 1) - 1) / stride.H + 1;
        var ow = (w + 2 * pad.W - dil.W * (kw - 1) - 1) / stride.W + 1;
        var x = input.Floats.ToArray();
        var wt = weight.Floats.ToArray();
        var result = new float[n * o * oh * ow];
        var og = o / groups;
        for (var b = 0; b < n; b++)
            for (var oc = 0; oc < o; oc++)
                for (var y = 0; y < oh; y++)
                    for (var xo = 0; xo < ow; xo++)
                    {
                        double sum = bias[oc];
                        var g = oc / og;
                        for (var ic = 0; ic < cg; ic++)
                            for (var ky = 0; ky < kh; ky++)
                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var iy = y * stride.H - pad.H + ky * dil.H;
                                    var ix = xo * stride.W - pad.W + kx * dil.W;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    sum += (double)x[((b * c + g * cg + ic) * h + iy) * w + ix] * wt[((oc * cg + ic) * kh + ky) * kw + kx];
                                }
                        result[((b * o + oc) * oh + y) * ow + xo] = (float)sum;
                    }
        return result;
    }

    /// <summary>Asserts |actual − expected| ≤ tol·max(1, |expected|) elementwise.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tol = 1e-4f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var bound = tol * Math.Max(1f, Math.Abs(expected[i]));
            if (!(Math.Abs(expected[i] - actual[i]) <= bound))
                Assert.Fail($"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    /// <summary>Relative error measured against the magnitude of the whole result.</summary>
    public static bool CloseRelative(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tol)
    {
        if (expected.Length != actual.Length) return false;
        var scale = 1f;
        foreach (var e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (var i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tol * scale)) return false;
        return true;
    }
}
