namespace DyCompile.Runtime;

/// <summary>One parallel loop of the GEMM: items 0..count-1, each independent.</summary>
internal abstract class GemmJob
{
    public abstract void Run(int item);
}

/// <summary>The GEMM's own fork/join: a fixed set of background threads, created once, that share
/// out the items of one <see cref="GemmJob"/> with the calling thread through an atomic counter.
/// The caller returns as soon as every item is done, not when every worker has woken: on a loaded
/// machine a worker may get no core for milliseconds, and then the caller simply runs its items
/// (a worker that wakes late finds the round finished and goes back to sleep). Each round has its
/// own small state object, so a late worker can never take an item of a later round for the job
/// of an earlier one. One product runs on the workers at a time: a caller that finds them busy
/// (another thread's product, or a product started from a job item) does not get them and runs
/// its items itself.</summary>
internal static class GemmWorkers
{
    private static readonly object _gate = new();
    private static readonly int _helpers = Math.Max(0, Environment.ProcessorCount - 1);
    private static readonly SemaphoreSlim _start = new(0);
    private static bool _started;
    private static Round? _round;

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
        var round = new Round(job, count);
        Volatile.Write(ref _round, round);
        // Wake only workers that are asleep: permits left over from rounds a worker joined late would
        // otherwise pile up and wake it for nothing.
        if (helpers > 0 && _start.CurrentCount < helpers) _start.Release(helpers - _start.CurrentCount);
        round.RunItems();
        var spin = new SpinWait();
        while (Volatile.Read(ref round.Done) < count) spin.SpinOnce();
        if (round.Error is { } error) throw new AggregateException(error);
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
            Volatile.Read(ref _round)?.RunItems();
        }
    }

    /// <summary>One fork/join: the items handed out and the items finished.</summary>
    private sealed class Round(GemmJob job, int count)
    {
        public int Next;
        public int Done;
        public Exception? Error;

        public void RunItems()
        {
            int item;
            while ((item = Interlocked.Increment(ref Next) - 1) < count)
            {
                try
                {
                    job.Run(item);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Error, e, null);
                }
                Interlocked.Increment(ref Done);
            }
        }
    }
}
