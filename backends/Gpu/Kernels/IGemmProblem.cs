namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>One product C = A·B (+ epilogue) per batch index, as the tiled GEMM kernel sees it:
/// where A, B and C live is the problem's business (a strided matrix, an im2col view of an
/// image, NCHW output). Loads outside [0, M) × [0, K) or [0, K) × [0, N) return 0.</summary>
public interface IGemmProblem
{
    int M { get; }
    int N { get; }
    int K { get; }

    int BaseA(int batch);
    int BaseB(int batch);
    int BaseC(int batch);

    float LoadA(int baseA, int row, int k);
    float LoadB(int baseB, int k, int column);

    /// <summary>Writes C[row, column] (in range) after the epilogue (bias).</summary>
    void Store(int baseC, int row, int column, float value);
}
