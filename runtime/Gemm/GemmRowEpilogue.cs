using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>What a blocked GEMM adds to each finished block of C before it leaves the cache: a
/// bias per row of C, a residual matrix laid out as C (same leading dimension) and ReLU, in that
/// order. A convolution run as a GEMM (C = output channels × pixels) gets its bias, skip
/// connection and activation this way instead of a bias pass before the product and a ReLU pass
/// after it, each a full trip through memory on large planes. The residual must not be C itself:
/// the product overwrites C before the residual would be read.</summary>
internal readonly unsafe struct GemmRowEpilogue(float* rowBias, float* residual, bool relu)
{
    /// <summary>One bias per row of C, or null.</summary>
    public readonly float* RowBias = rowBias;

    /// <summary>The residual's element (0, 0), C's shape and leading dimension, or null.</summary>
    public readonly float* Residual = residual;

    public readonly bool Relu = relu;

    public bool IsNone => RowBias == null && Residual == null && !Relu;

    /// <summary>Rows [row, row + rows) × columns [column, column + width) of C (whose element
    /// (0, 0) is at <paramref name="c"/>), on zmm vectors when <paramref name="wide"/> (the
    /// AVX-512 path), else on ymm vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(float* c, int ldc, int row, int rows, int column, int width, bool wide)
    {
        for (var i = row; i < row + rows; i++)
        {
            var offset = (long)i * ldc + column;
            var bias = RowBias == null ? 0f : RowBias[i];
            if (wide) ApplyRow512(c + offset, Residual == null ? null : Residual + offset, width, bias);
            else ApplyRow256(c + offset, Residual == null ? null : Residual + offset, width, bias);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ApplyRow512(float* c, float* residual, int width, float bias)
    {
        var b = Vector512.Create(bias);
        var j = 0;
        for (; j + Vector512<float>.Count <= width; j += Vector512<float>.Count)
        {
            var v = Vector512.Load(c + j) + b;
            if (residual != null) v += Vector512.Load(residual + j);
            if (Relu) v = Vector512.Max(v, Vector512<float>.Zero);
            v.Store(c + j);
        }
        Tail(c, residual, j, width, bias);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ApplyRow256(float* c, float* residual, int width, float bias)
    {
        var b = Vector256.Create(bias);
        var j = 0;
        for (; j + Vector256<float>.Count <= width; j += Vector256<float>.Count)
        {
            var v = Vector256.Load(c + j) + b;
            if (residual != null) v += Vector256.Load(residual + j);
            if (Relu) v = Vector256.Max(v, Vector256<float>.Zero);
            v.Store(c + j);
        }
        Tail(c, residual, j, width, bias);
    }

    private void Tail(float* c, float* residual, int j, int width, float bias)
    {
        for (; j < width; j++)
        {
            var v = c[j] + bias;
            if (residual != null) v += residual[j];
            if (Relu) v = MathF.Max(v, 0f);
            c[j] = v;
        }
    }
}
