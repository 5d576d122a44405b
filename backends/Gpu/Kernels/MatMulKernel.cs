using DyCompile.IR;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>matmul (torch.matmul: 1-D operands promoted and the promoted dim dropped, batch dims
/// broadcast) and linear (x·Wᵀ + b). On a CUDA accelerator the product goes to cuBLAS (FP32
/// SGEMM, one call per batch matrix; linear's bias is written into C first and kept with
/// β = 1); elsewhere, or when <see cref="PreferTiled"/> is set, to the tiled GEMM kernel.</summary>
[GpuKernel("matmul", "linear", Uses = [typeof(GemmKernels)])]
public sealed class MatMulKernel : GpuOpKernel, IDenseEpilogueKernel, IDisposable
{
    private readonly Action<AcceleratorStream, KernelConfig, MatrixProblem> _tiled;
    private readonly Action<AcceleratorStream, Index2D, ArrayView<float>, ArrayView<float>, int> _fillBias;
    private readonly CuBlasGemm? _cublas;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int> _epilogue;

    public MatMulKernel(Accelerator accelerator) : this(accelerator, preferTiled: false)
    {
    }

    public MatMulKernel(Accelerator accelerator, bool preferTiled) : base(accelerator)
    {
        _tiled = GemmKernels.Load<MatrixProblem>(accelerator);
        _fillBias = accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<float>, ArrayView<float>, int>(FillBias);
        _epilogue = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ApplyEpilogue);
        PreferTiled = preferTiled;
        if (!preferTiled && accelerator is CudaAccelerator cuda)
        {
            try
            {
                _cublas = new CuBlasGemm(cuda);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or CuBlasException)
            {
                // A driver without cuBLAS still runs every product, on the tiled kernel.
                CuBlasUnavailable = e.Message;
            }
        }
    }

    /// <summary>Why the cuBLAS path is off on a CUDA accelerator (the library did not load), or null.</summary>
    public string? CuBlasUnavailable { get; }

    /// <summary>True when the products run on the tiled kernel even on CUDA (the device check
    /// measures both paths).</summary>
    public bool PreferTiled { get; }

    public bool UsesCuBlas => _cublas is not null;

    [DeviceKernel]
    internal static void FillBias(Index2D i, ArrayView<float> bias, ArrayView<float> c, int columns) =>
        c[i.X * columns + i.Y] = bias[i.Y];

    /// <summary>The epilogue after a cuBLAS product, which has no store of ours to fold it into.</summary>
    [DeviceKernel]
    internal static void ApplyEpilogue(Index1D i, ArrayView<float> c, ArrayView<float> residual, int hasResidual, int relu)
    {
        var value = c[i];
        if (hasResidual != 0) value += residual[i];
        c[i] = relu != 0 ? KernelHelpers.Max(value, 0f) : value;
    }

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results) =>
        Launch(stream, node, operands, results, DenseEpilogue.None);

    /// <summary>On the tiled kernel the epilogue is part of the store; after cuBLAS it is one more
    /// elementwise launch over C.</summary>
    public void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results, DenseEpilogue epilogue)
    {
        var p = node.Op == "linear" ? Linear(operands) : MatMul(operands[0].Tensor, operands[1].Tensor);
        var batches = KernelShapes.Count(Enumerable.Range(0, p.BatchRank).Select(p.BatchShape.Get));
        p.C = results[0].Floats;
        p.Residual = epilogue.Residual?.Floats ?? p.C;
        p.HasResidual = epilogue.Residual is null ? 0 : 1;
        p.Relu = epilogue.Relu ? 1 : 0;
        if (p.M == 0 || p.N == 0 || batches == 0) return;
        if (_cublas is not null)
        {
            if (p.HasBias != 0) _fillBias(stream, new Index2D(p.M, p.N), p.Bias, p.C, p.N);
            _cublas.Run(stream, p, batches);
            if (!epilogue.IsNone) _epilogue(stream, (int)results[0].Length, p.C, p.Residual, p.HasResidual, p.Relu);
            return;
        }
        _tiled(stream, TiledGemm.Config(p.M, p.N, batches), p);
    }

    /// <summary>The product of torch.matmul as batched strided matrices.</summary>
    public static MatrixProblem MatMul(DeviceTensor a, DeviceTensor b)
    {
        int[] sa = a.Rank == 1 ? [1, a.Shape[0]] : [.. a.Shape];
        int[] sb = b.Rank == 1 ? [b.Shape[0], 1] : [.. b.Shape];
        var batchRank = Math.Max(sa.Length, sb.Length) - 2;
        var batch = new int[batchRank];
        var stridesA = new int[batchRank];
        var stridesB = new int[batchRank];
        var matrixA = sa[^1] * sa[^2];
        var matrixB = sb[^1] * sb[^2];
        int strideA = matrixA, strideB = matrixB;
        for (var d = batchRank - 1; d >= 0; d--)
        {
            var ia = d - (batchRank - (sa.Length - 2));
            var ib = d - (batchRank - (sb.Length - 2));
            var na = ia >= 0 ? sa[ia] : 1;
            var nb = ib >= 0 ? sb[ib] : 1;
            batch[d] = Math.Max(na, nb);
            if (na == 0 || nb == 0) batch[d] = 0;
            stridesA[d] = na == 1 ? 0 : strideA;
            stridesB[d] = nb == 1 ? 0 : strideB;
            strideA *= na;
            strideB *= nb;
        }
        return new MatrixProblem
        {
            A = a.Floats,
            B = b.Floats,
            Bias = a.Floats,
            Rows = sa[^2],
            Columns = sb[^1],
            Inner = sa[^1],
            RowStrideA = sa[^1],
            KStrideA = 1,
            KStrideB = sb[^1],
            ColumnStrideB = 1,
            BatchRank = batchRank,
            BatchShape = Dims.From(batch),
            BatchStridesA = Dims.From(stridesA),
            BatchStridesB = Dims.From(stridesB),
        };
    }

    private static MatrixProblem Linear(IReadOnlyList<GpuOperand> operands)
    {
        DeviceTensor x = operands[0].Tensor, w = operands[1].Tensor, bias = operands[2].Tensor;
        var inFeatures = w.Shape[1];
        return new MatrixProblem
        {
            A = x.Floats,
            B = w.Floats,
            Bias = bias.Floats,
            HasBias = 1,
            Rows = KernelShapes.Count(x.Shape.Take(x.Rank - 1)),
            Columns = w.Shape[0],
            Inner = inFeatures,
            RowStrideA = inFeatures,
            KStrideA = 1,
            KStrideB = 1,
            ColumnStrideB = inFeatures,
            BatchRank = 0,
        };
    }

    public void Dispose() => _cublas?.Dispose();
}
