using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>Layer normalization of many rows shared out over the cores: a transformer's
/// activations at batch 16 are 2048 rows of 256, a quarter of a millisecond on one core. Each
/// row is normalized exactly as <see cref="TensorOps.LayerNormRows"/> does on its own, so the
/// result does not depend on the split. Few rows stay on the calling thread.</summary>
internal sealed class LayerNormRowsJob : GemmJob
{
    /// <summary>Below this many elements a fork/join costs more than it saves (as for softmax).</summary>
    private const int ParallelElements = 1 << 14;

    private static readonly LayerNormRowsJob Instance = new();

    private Tensor? _input, _weight, _bias, _destination;
    private float _eps;
    private int _rows, _chunks;

    /// <summary>destination = layer_norm(input) over rows of weight.Length values.</summary>
    public static void Run(Tensor input, Tensor weight, Tensor bias, float eps, Tensor destination)
    {
        var size = weight.Length;
        var rows = size == 0 ? 0 : input.Length / size;
        var threads = Environment.ProcessorCount;
        if (threads > 1 && rows >= 2 * threads && input.Length >= ParallelElements && GemmWorkers.TryAcquire())
        {
            var job = Instance;
            try
            {
                (job._input, job._weight, job._bias, job._destination, job._eps, job._rows, job._chunks) = (input, weight, bias, destination, eps, rows, threads);
                GemmWorkers.Run(job, threads, threads);
            }
            finally
            {
                (job._input, job._weight, job._bias, job._destination) = (null, null, null, null);
                GemmWorkers.Release();
            }
            return;
        }
        TensorOps.LayerNormRows(input.Floats, weight.Floats, bias.Floats, eps, destination.Floats, Vector256.IsHardwareAccelerated);
    }

    public override void Run(int item)
    {
        var size = _weight!.Length;
        int first = (int)((long)item * _rows / _chunks), end = (int)((long)(item + 1) * _rows / _chunks);
        var count = (end - first) * size;
        TensorOps.LayerNormRows(_input!.Floats.Slice(first * size, count), _weight.Floats, _bias!.Floats, _eps,
            _destination!.Floats.Slice(first * size, count), Vector256.IsHardwareAccelerated);
    }
}
