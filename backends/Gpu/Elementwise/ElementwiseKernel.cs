using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>The base of every generated elementwise kernel class: its constructor loads the ILGPU
/// kernel on an accelerator, <see cref="Launch"/> enqueues it. Tensors are given outputs first, then
/// inputs, in the order the kernel was rendered with; <paramref name="dims"/> carries the run-time
/// dims of the result and of each broadcast input (only kernels over a shape with a <c>?</c> dim read them).</summary>
public abstract class ElementwiseKernel
{
    protected ElementwiseKernel(Accelerator accelerator) =>
        // A grid-stride loop: enough threads to fill the device, each walking the elements at that stride.
        MaxExtent = (int)Math.Max(1, Math.Min(int.MaxValue, (long)accelerator.MaxNumThreads * 2));

    protected int MaxExtent { get; }

    /// <summary>The threads a launch over <paramref name="count"/> elements uses.</summary>
    protected int Extent(long count) => (int)Math.Min(count, MaxExtent);

    public abstract void Launch(AcceleratorStream stream, long count, DeviceTensor[] tensors, Dims8[] dims);
}

/// <summary>Up to eight dims of a shape, passed by value to a kernel (right-aligned to the result's
/// rank for a broadcast input; missing leading dims are 1).</summary>
public struct Dims8
{
    public int D0, D1, D2, D3, D4, D5, D6, D7;

    public const int MaxRank = 8;

    /// <summary><paramref name="shape"/> right-aligned to <paramref name="rank"/> dims.</summary>
    public static Dims8 Of(ReadOnlySpan<int> shape, int rank)
    {
        Span<int> d = stackalloc int[MaxRank];
        d.Fill(1);
        for (var i = 0; i < shape.Length; i++) d[rank - shape.Length + i] = shape[i];
        return new Dims8 { D0 = d[0], D1 = d[1], D2 = d[2], D3 = d[3], D4 = d[4], D5 = d[5], D6 = d[6], D7 = d[7] };
    }
}
