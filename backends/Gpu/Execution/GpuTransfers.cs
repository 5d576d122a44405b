namespace DyCompile.Backends.Gpu;

/// <summary>Counts, per thread, the device allocations and the copies between host and device that compiled GPU programs made
/// on that thread: what a test (or a curious caller) checks to see that a call uploads its inputs
/// once, reads back only the scalars its branches need, and downloads its outputs once.</summary>
public static class GpuTransfers
{
    [ThreadStatic] private static long _uploads;
    [ThreadStatic] private static long _scalarReads;
    [ThreadStatic] private static long _downloads;
    [ThreadStatic] private static long _allocations;

    /// <summary>Host → device copies of tensors (call inputs and, once per program, weights and constants).</summary>
    public static long Uploads => _uploads;

    /// <summary>Device → host reads of one scalar (<c>item</c>: a branch or loop condition, or a host value).</summary>
    public static long ScalarReads => _scalarReads;

    /// <summary>Device → host copies of a call's tensor results.</summary>
    public static long Downloads => _downloads;

    /// <summary>Device buffers allocated: an execution state's arena, grown buffers of tensors with a
    /// <c>?</c> dim, weights and constants. A steady-state call allocates none.</summary>
    public static long Allocations => _allocations;

    internal static void Allocation() => _allocations++;

    internal static void Upload() => _uploads++;

    internal static void ScalarRead() => _scalarReads++;

    internal static void Download() => _downloads++;
}
