using System.Diagnostics;
using DyCompile.Backends.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.DeviceCheck;

/// <summary>The device's copy bandwidth (a device-to-device copy) and the throughput of a fused
/// elementwise chain, x·σ(x) + 0.5·x, one read and one write per element, in the form the segment
/// emitter renders (one thread per element, the whole chain in registers).</summary>
internal static class Bandwidth
{
    internal static void Chain(Index1D i, ArrayView<float> x, ArrayView<float> y)
    {
        var v = x[i];
        y[i] = v / (1f + MathF.Exp(-v)) + 0.5f * v;
    }

    /// <summary>(copy GB/s, chain GB/s), each counting the bytes read plus the bytes written.</summary>
    public static (double CopyGBps, double ChainGBps) Measure(Accelerator accelerator, int elements)
    {
        using var a = accelerator.Allocate1D<float>(elements);
        using var b = accelerator.Allocate1D<float>(elements);
        a.MemSetToZero();
        var chain = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(Chain);
        var stream = accelerator.DefaultStream;
        var bytes = 2.0 * elements * sizeof(float);
        double Time(Action launch, int runs)
        {
            launch();
            stream.Synchronize();
            var start = Stopwatch.GetTimestamp();
            for (var r = 0; r < runs; r++) launch();
            stream.Synchronize();
            return Stopwatch.GetElapsedTime(start).TotalSeconds / runs;
        }
        var copy = Time(() => a.View.CopyTo(stream, b.View), 20);
        var fused = Time(() => chain(stream, elements, a.View, b.View), 20);
        return (bytes / copy / 1e9, bytes / fused / 1e9);
    }
}
