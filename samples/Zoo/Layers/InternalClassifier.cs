using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Layers;

/// <summary>The internal classifier of Shallow-Deep Networks (Kaya et al., ICML 2019). A feature
/// map of side s ≥ 4 is reduced by pooling with kernel and stride ⌊s/4⌋ — a learned mix
/// α·maxpool + (1−α)·avgpool — then flattened into a linear layer; a smaller map goes straight
/// to the linear layer.</summary>
public sealed class InternalClassifier : Module
{
    private readonly int _pool;

    public InternalClassifier(int inputSize, int channels, int numClasses, Random random)
    {
        _pool = inputSize >= 4 ? inputSize / 4 : 0;
        var side = _pool > 0 ? inputSize / _pool : inputSize;
        if (_pool > 0)
            RegisterParameter("alpha", Tensor.FromArray([(float)random.NextDouble()], 1));
        Linear = RegisterModule("linear", new Linear(channels * side * side, numClasses, generator: random));
    }

    public Linear Linear { get; }

    public Tensor Forward(Tensor x)
    {
        if (_pool > 0)
        {
            int[] kernel = [_pool, _pool], padding = [0, 0];
            var alpha = Get("alpha");
            var max = TensorOps.MaxPool2d(x, kernel, kernel, padding);
            var avg = TensorOps.AvgPool2d(x, kernel, kernel, padding);
            x = alpha * max + (1f - alpha) * avg;
        }
        return Linear.Forward(x.Reshape(x.Dim(0), -1));
    }
}
