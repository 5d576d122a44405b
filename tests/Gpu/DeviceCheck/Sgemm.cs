using System.Diagnostics;
using DyCompile.Backends.Gpu;
using DyCompile.Backends.Gpu.Kernels;
using DyCompile.IR;
using DyCompile.Runtime;
using ILGPU.Runtime;

namespace DyCompile.DeviceCheck;

/// <summary>SGEMM n × n × n on device-resident operands through the library's matmul kernel:
/// its tiled ILGPU GEMM, and (on CUDA) its cuBLAS path. GFLOP/s = 2n³ / time.</summary>
internal static class Sgemm
{
    public static (double TiledGflops, double? CuBlasGflops) Measure(Accelerator accelerator, int n)
    {
        var random = new Random(5);
        var values = new float[n * n];
        foreach (ref var v in values.AsSpan()) v = (float)(random.NextDouble() - 0.5);
        using var a = accelerator.Allocate1D<byte>(4L * n * n);
        using var b = accelerator.Allocate1D<byte>(4L * n * n);
        using var c = accelerator.Allocate1D<byte>(4L * n * n);
        ((ILGPU.ArrayView<byte>)a.View).Cast<float>().CopyFromCPU(values);
        ((ILGPU.ArrayView<byte>)b.View).Cast<float>().CopyFromCPU(values);
        var type = new TensorType(DType.Float32, [n, n]);
        var node = new Node("matmul", [new Value("a", type, ValueKind.Parameter), new Value("b", type, ValueKind.Parameter)], null, [new Value("c", type, ValueKind.Result)]);
        GpuOperand[] operands = [new DeviceTensor(a.View, DType.Float32, [n, n]), new DeviceTensor(b.View, DType.Float32, [n, n])];
        DeviceTensor[] results = [new DeviceTensor(c.View, DType.Float32, [n, n])];
        double Gflops(MatMulKernel kernel, int runs)
        {
            var stream = accelerator.DefaultStream;
            kernel.Launch(stream, node, operands, results);
            stream.Synchronize();
            var start = Stopwatch.GetTimestamp();
            for (var r = 0; r < runs; r++) kernel.Launch(stream, node, operands, results);
            stream.Synchronize();
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds / runs;
            return 2.0 * n * n * (double)n / seconds / 1e9;
        }
        var runs = accelerator.AcceleratorType == AcceleratorType.CPU ? 1 : 10;
        using var tiled = new MatMulKernel(accelerator, preferTiled: true);
        var tiledGflops = Gflops(tiled, runs);
        using var library = new MatMulKernel(accelerator);
        if (library.CuBlasUnavailable is { } why) Console.Error.WriteLine($"cuBLAS did not load ({why}): the cuBLAS row stays empty");
        return (tiledGflops, library.UsesCuBlas ? Gflops(library, runs) : null);
    }
}
