using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>Row-major products through cuBLAS (column-major): C = A·B is computed as
/// Cᵀ = Bᵀ·Aᵀ, so the row-major buffers are passed as they are and only the roles swap. FP32
/// (SGEMM) throughout; TF32 would change results.</summary>
public sealed class CuBlasGemm : IDisposable
{
    private readonly CuBlas _blas;

    public CuBlasGemm(CudaAccelerator accelerator) => _blas = new CuBlas(accelerator);

    /// <summary>Enqueues every batch matrix of <paramref name="p"/> on <paramref name="stream"/>;
    /// C is overwritten, or accumulated onto when the problem has a bias already written into C.</summary>
    public void Run(AcceleratorStream stream, MatrixProblem p, int batches)
    {
        _blas.Stream = stream as CudaStream ?? throw new ArgumentException("cuBLAS runs on a CUDA stream", nameof(stream));
        var beta = p.HasBias != 0 ? 1f : 0f;
        // B's column stride 1 means B is [K, N] row-major; a stride of K means it is Wᵀ with W [N, K].
        var transposeB = p.ColumnStrideB != 1;
        // Leading dimensions are at least 1 even for an empty K, as cuBLAS requires.
        var ldb = Math.Max(1, transposeB ? p.K : p.N);
        var lda = Math.Max(1, p.K);
        var ldc = Math.Max(1, p.N);
        for (var batch = 0; batch < batches; batch++)
        {
            var a = p.A.SubView(p.BaseA(batch), (long)p.M * p.K);
            var b = p.B.SubView(p.BaseB(batch), (long)p.K * p.N);
            var c = p.C.SubView(p.BaseC(batch), (long)p.M * p.N);
            _blas.Gemm(transposeB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose, CuBlasOperation.NonTranspose,
                p.N, p.M, p.K, 1f, b, ldb, a, lda, beta, c, ldc);
        }
    }

    public void Dispose() => _blas.Dispose();
}
