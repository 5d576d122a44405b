using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>A convolution's independent work items (see <see cref="ConvJob{TProblem}"/>).</summary>
internal interface IConvItems
{
    int Items { get; }

    void RunItem(int item);
}

/// <summary>Runs the items of a convolution on the GEMM workers (<see cref="GemmWorkers"/>) when
/// more than one thread is allowed and the workers are free, else on the calling thread. The
/// one job object per problem type is reused while the workers are held, so a call allocates
/// nothing.</summary>
internal sealed class ConvJob<TProblem> : GemmJob where TProblem : struct, IConvItems
{
    private static readonly ConvJob<TProblem> _instance = new();
    private TProblem _problem;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in TProblem problem, int threads)
    {
        var items = problem.Items;
        if (threads > 1 && items > 1 && GemmWorkers.TryAcquire())
        {
            try
            {
                _instance._problem = problem;
                GemmWorkers.Run(_instance, items, threads);
            }
            finally
            {
                _instance._problem = default;
                GemmWorkers.Release();
            }
            return;
        }
        for (var item = 0; item < items; item++) problem.RunItem(item);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Run(int item) => _problem.RunItem(item);
}
