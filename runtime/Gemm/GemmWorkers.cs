using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>One parallel loop of the GEMM: items 0..count-1, each independent.</summary>
internal abstract class GemmJob
{
    public abstract void Run(int item);
}

/// <summary>The GEMM's own fork/join: a fixed set of background threads, created once, that share
/// out the items of one <see cref="GemmJob"/> with the calling thread. The caller returns as soon
/// as every item is done, not when every worker has woken: on a loaded machine a worker may get no
/// core for milliseconds, and then the caller simply runs its items (a worker that wakes late finds
/// the round finished and goes back to sleep). Items are handed out through one 64-bit ticket —
/// round number, item count and next item — taken by compare-and-swap, so a late worker can never
/// take an item of one round for the job of another. A steady-state call allocates nothing (jobs
/// are reusable objects, the signals are reused). One product runs on the workers at a time: a
/// caller that finds them busy (another thread's product, or a product started from a job item)
/// does not get them and runs its items itself.</summary>
internal static class GemmWorkers
{
    private const int IndexBits = 20;
    private const long IndexMask = (1L << IndexBits) - 1;

    private static readonly object _gate = new();
    private static readonly int _helpers = Math.Max(0, Environment.ProcessorCount - 1);
    private static readonly SemaphoreSlim _start = new(0);
    private static bool _started;
    private static GemmJob? _job;
    private static long _ticket;
    private static long _round;
    private static int _done;
    private static Exception? _error;
    private static int _sleeping;

    /// <summary>How long a worker polls for the next round before it sleeps: 200 µs.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;

    /// <summary>Takes the workers for one product; false when another product holds them.</summary>
    public static bool TryAcquire() => _helpers > 0 && Monitor.TryEnter(_gate);

    public static void Release() => Monitor.Exit(_gate);

    /// <summary>Runs every item of <paramref name="job"/> on the calling thread and up to
    /// <paramref name="threads"/> - 1 workers; returns when all are done (rethrowing the first
    /// failure). Only between <see cref="TryAcquire"/> and <see cref="Release"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(GemmJob job, int count, int threads)
    {
        if (count <= 0) return;
        if (count > IndexMask)
        {
            for (var item = 0; item < count; item++) job.Run(item);
            return;
        }
        if (!_started) Start();
        var helpers = Math.Min(Math.Min(threads - 1, _helpers), count - 1);
        _job = job;
        _error = null;
        Volatile.Write(ref _done, 0);
        _round = (_round + 1) & ((1L << (63 - 2 * IndexBits)) - 1);
        Volatile.Write(ref _ticket, (_round << (2 * IndexBits)) | ((long)count << IndexBits));
        // Wake only workers that are asleep (a spinning one sees the new ticket itself), and no
        // more than the items need: permits nobody waits for would wake a worker for nothing later.
        var asleep = Math.Min(helpers, Volatile.Read(ref _sleeping)) - _start.CurrentCount;
        if (asleep > 0) _start.Release(asleep);
        RunItems();
        // The last items are a worker's, finishing within microseconds: never Thread.Sleep(1)
        // (SpinWait's default after 20 rounds), which costs a millisecond or more.
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) < count) spin.SpinOnce(sleep1Threshold: -1);
        if (_error is { } error) throw new AggregateException(error);
    }

    private static void Start()
    {
        for (var i = 0; i < _helpers; i++)
            new Thread(Work) { IsBackground = true, Name = "DyCompile GEMM worker" }.Start();
        _started = true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Work()
    {
        var seen = -1L;
        while (true)
        {
            // A model runs products back to back with short elementwise steps between them: a
            // worker that polls the ticket for a little while after a round takes the next one
            // without a wake-up through the kernel (tens of microseconds, far more when the cores
            // are busy). Only then does it sleep.
            if (!SpinForRound(ref seen))
            {
                Interlocked.Increment(ref _sleeping);
                _start.Wait();
                Interlocked.Decrement(ref _sleeping);
            }
            seen = Volatile.Read(ref _ticket) >> (2 * IndexBits);
            RunItems();
        }
    }

    /// <summary>Polls for a round other than <paramref name="seen"/> with items left, for about
    /// <see cref="SpinTicks"/>; true when one came.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SpinForRound(ref long seen)
    {
        var until = Stopwatch.GetTimestamp() + SpinTicks;
        var spins = 0;
        while (true)
        {
            var ticket = Volatile.Read(ref _ticket);
            if (ticket >> (2 * IndexBits) != seen && (ticket & IndexMask) < ((ticket >> IndexBits) & IndexMask)) return true;
            if ((++spins & 63) == 0 && Stopwatch.GetTimestamp() > until) return false;
            Thread.SpinWait(20);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunItems()
    {
        while (true)
        {
            var ticket = Volatile.Read(ref _ticket);
            var count = (ticket >> IndexBits) & IndexMask;
            var item = ticket & IndexMask;
            if (item >= count) return;
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket) continue;
            // The round cannot end before this item is counted done, so _job is still its job.
            try
            {
                Volatile.Read(ref _job)!.Run((int)item);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
            Interlocked.Increment(ref _done);
        }
    }
}
