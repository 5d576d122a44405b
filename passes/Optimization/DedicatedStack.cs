using System.Runtime.ExceptionServices;

namespace DyCompile.Passes.Optimization;

/// <summary>Runs work that recurses as deep as its input on a thread of its own whose stack is
/// sized for it, so the caller's stack (1.5 MB on a thread-pool thread) does not bound the size
/// of what can be compiled. The stack is reserved address space; only what the work touches is
/// committed. Exceptions of the work are rethrown on the caller's thread.</summary>
public static class DedicatedStack
{
    /// <summary>Bytes of stack per level of graph depth for the e-graph's extraction, which
    /// recurses once per level: a 16,000-deep graph was measured to need between 1 and 2 MB
    /// (at most 128 bytes a level), so this leaves room for eight times that.</summary>
    public const int BytesPerLevel = 1024;

    /// <summary>Graphs at most this deep are optimized on the caller's thread.</summary>
    public const int CallerThreadDepth = 256;

    /// <summary>Runs <paramref name="work"/> over a graph <paramref name="depth"/> ops deep:
    /// on the caller's thread when shallow, else on a stack of 1 MB + <see cref="BytesPerLevel"/> per level.</summary>
    public static T ForDepth<T>(int depth, Func<T> work) =>
        depth <= CallerThreadDepth ? work() : Run((int)Math.Min(int.MaxValue, (1L << 20) + (long)depth * BytesPerLevel), work);

    /// <summary>Runs <paramref name="work"/> on a new thread with a stack of <paramref name="stackBytes"/> and waits for it.</summary>
    public static T Run<T>(int stackBytes, Func<T> work)
    {
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
            Name = "DyCompile compiler",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
