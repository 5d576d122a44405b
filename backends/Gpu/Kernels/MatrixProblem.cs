using ILGPU;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>A batched product of strided matrices: matmul (broadcast batch dims, stride 0 where an
/// operand has size 1) and linear (B is the weight read transposed, plus a bias per column).
/// C is dense [batch, M, N].</summary>
public struct MatrixProblem : IGemmProblem
{
    public ArrayView<float> A, B, C, Bias, Residual;
    public int Rows, Columns, Inner;
    public int RowStrideA, KStrideA, KStrideB, ColumnStrideB;
    public int BatchRank;
    public Dims BatchShape, BatchStridesA, BatchStridesB;
    public int HasBias;
    /// <summary>The store's epilogue after the bias: add Residual (dense like C), then relu.</summary>
    public int HasResidual, Relu;

    public readonly int M => Rows;
    public readonly int N => Columns;
    public readonly int K => Inner;

    public readonly int BaseA(int batch) => Offset(batch, BatchStridesA);
    public readonly int BaseB(int batch) => Offset(batch, BatchStridesB);
    public readonly int BaseC(int batch) => batch * Rows * Columns;

    private readonly int Offset(int batch, Dims strides)
    {
        var at = 0;
        for (var d = BatchRank - 1; d >= 0; d--)
        {
            var n = BatchShape.Get(d);
            at += batch % n * strides.Get(d);
            batch /= n;
        }
        return at;
    }

    public readonly float LoadA(int baseA, int row, int k) =>
        row < Rows && k < Inner ? A[baseA + row * RowStrideA + k * KStrideA] : 0f;

    public readonly float LoadB(int baseB, int k, int column) =>
        k < Inner && column < Columns ? B[baseB + k * KStrideB + column * ColumnStrideB] : 0f;

    public readonly void Store(int baseC, int row, int column, float value)
    {
        var at = baseC + row * Columns + column;
        if (HasBias != 0) value += Bias[column];
        if (HasResidual != 0) value += Residual[at];
        C[at] = Relu != 0 ? KernelHelpers.Max(value, 0f) : value;
    }
}
