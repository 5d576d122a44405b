namespace DyCompile.Backends.Gpu;

/// <summary>Counts, per thread, the device allocations, the copies between host and device and the
/// launches of weight-only work that compiled GPU programs made on that thread: what a test (or a
/// curious caller) checks to see that a call uploads its inputs once, reads back only the scalars
/// its branches need, downloads its outputs once, and redoes no work that depends on weights alone.</summary>
public static class GpuTransfers
{
    [ThreadStatic] private static long _uploads;
    [ThreadStatic] private static long _scalarReads;
    [ThreadStatic] private static long _downloads;
    [ThreadStatic] private static long _allocations;
    [ThreadStatic] private static long _weightOnlyLaunches;
    [ThreadStatic] private static long _launches;

    /// <summary>Device launches of segment steps: rendered elementwise kernels, op kernels (a dense
    /// op with its epilogue folded into its store is one), fills. Shows what fusion saves.</summary>
    public static long Launches => _launches;

    internal static void Launch() => _launches++;

    /// <summary>Host → device copies of tensors (call inputs and, once per program, weights and constants).</summary>
    public static long Uploads => _uploads;

    /// <summary>Device → host reads of one scalar (<c>item</c>: a branch or loop condition, or a host value).</summary>
    public static long ScalarReads => _scalarReads;

    /// <summary>Device → host copies of a call's tensor results.</summary>
    public static long Downloads => _downloads;

    /// <summary>Device buffers allocated: an execution state's arena, grown buffers of tensors with a
    /// <c>?</c> dim, weights and constants. A steady-state call allocates none.</summary>
    public static long Allocations => _allocations;

    /// <summary>Kernel and op-kernel launches of weight-only work (folded batch-norm scales, weight
    /// transposes): made when a call site first runs and again only after a weight it reads changed.</summary>
    public static long WeightOnlyLaunches => _weightOnlyLaunches;

    internal static void Allocation() => _allocations++;

    internal static void WeightOnlyLaunch() => _weightOnlyLaunches++;

    internal static void Upload() => _uploads++;

    internal static void ScalarRead() => _scalarReads++;

    internal static void Download() => _downloads++;
}
