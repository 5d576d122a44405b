using System.Runtime.ExceptionServices;

namespace DyCompile.Passes.Optimization;

/// <summary>Runs work that recurses as deep as its input on a thread of its own whose stack is
/// sized for that depth, so the caller's stack (1.5 MB on a thread-pool thread) does not bound
/// the size of a graph. The stack is reserved address space; only what the work touches is committed.</summary>
internal static class DedicatedStack
{
    /// <summary>Bytes of stack per level of graph depth: the extraction's recursion measured at
    /// under 1 KB per level, with room to spare.</summary>
    public const int BytesPerLevel = 4096;

    /// <summary>Graphs at most this deep run on the caller's thread.</summary>
    public const int CallerThreadDepth = 256;

    public static T Run<T>(int depth, Func<T> work)
    {
        if (depth <= CallerThreadDepth) return work();
        var stackBytes = checked((int)Math.Min(int.MaxValue, (1L << 20) + (long)depth * BytesPerLevel));
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, stackBytes)
        {
            IsBackground = true,
            Name = "DyCompile optimizer",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
