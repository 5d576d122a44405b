using BenchmarkDotNet.Attributes;
using DyCompile.Runtime;

namespace DyCompile.Benchmarks;

/// <summary>Square eager SGEMM, C = A·B, through <see cref="Gemm.Sgemm(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>
/// and through the matmul kernel (which adds the result allocation).</summary>
public class GemmBenchmarks : IFlopCounted
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private Tensor _ta = Tensor.Zeros(0);
    private Tensor _tb = Tensor.Zeros(0);

    [Params(256, 512, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = Enumerable.Range(0, Size * Size).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, Size * Size).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[Size * Size];
        _ta = Tensor.FromArray(_a, Size, Size);
        _tb = Tensor.FromArray(_b, Size, Size);
    }

    [Benchmark]
    public void Sgemm() => Gemm.Sgemm(false, false, Size, Size, Size, _a, Size, _b, Size, _c, Size);

    [Benchmark]
    public Tensor MatMulKernel() => TensorOps.MatMul(_ta, _tb);

    public double Flops(string method) => 2.0 * Size * Size * Size;
}
