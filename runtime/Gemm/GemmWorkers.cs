namespace DyCompile.Runtime;

/// <summary>One parallel loop of the GEMM: items 0..count-1, each independent.</summary>
internal abstract class GemmJob
{
    public abstract void Run(int item);
}

/// <summary>The GEMM's own fork/join: a fixed set of background threads, created once, that share
/// out the items of one <see cref="GemmJob"/> with the calling thread through an atomic counter.
/// Unlike <c>Parallel.For</c> with a lambda, a steady-state call allocates nothing (jobs are
/// reusable objects, the signals are reused). One product runs on the workers at a time: a caller
/// that finds them busy (another thread's product, or a product started from a job item) does
/// not get them and runs its items itself.</summary>
internal static class GemmWorkers
{
    private static readonly object _gate = new();
    private static readonly int _helpers = Math.Max(0, Environment.ProcessorCount - 1);
    private static readonly SemaphoreSlim _start = new(0);
    private static readonly SemaphoreSlim _finished = new(0);
    private static bool _started;
    private static GemmJob? _job;
    private static int _count;
    private static int _next;
    private static Exception? _error;

    /// <summary>Takes the workers for one product; false when another product holds them.</summary>
    public static bool TryAcquire() => _helpers > 0 && Monitor.TryEnter(_gate);

    public static void Release() => Monitor.Exit(_gate);

    /// <summary>Runs every item of <paramref name="job"/> on the calling thread and up to
    /// <paramref name="threads"/> - 1 workers; returns when all are done (rethrowing the first
    /// failure). Only between <see cref="TryAcquire"/> and <see cref="Release"/>.</summary>
    public static void Run(GemmJob job, int count, int threads)
    {
        if (!_started) Start();
        var helpers = Math.Min(Math.Min(threads - 1, _helpers), count - 1);
        _job = job;
        _count = count;
        _error = null;
        Volatile.Write(ref _next, 0);
        if (helpers > 0) _start.Release(helpers);
        RunItems();
        for (var i = 0; i < helpers; i++) _finished.Wait();
        _job = null;
        if (_error is { } error) throw new AggregateException(error);
    }

    private static void Start()
    {
        for (var i = 0; i < _helpers; i++)
            new Thread(Work) { IsBackground = true, Name = "DyCompile GEMM worker" }.Start();
        _started = true;
    }

    private static void Work()
    {
        while (true)
        {
            _start.Wait();
            RunItems();
            _finished.Release();
        }
    }

    private static void RunItems()
    {
        var job = Volatile.Read(ref _job)!;
        int item;
        while ((item = Interlocked.Increment(ref _next) - 1) < _count)
        {
            try
            {
                job.Run(item);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
        }
    }
}
