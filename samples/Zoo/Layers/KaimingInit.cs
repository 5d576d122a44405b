using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Layers;

/// <summary>Re-initializes every convolution weight of a model with Kaiming normal and ReLU gain,
/// N(0, 2 / fan_in) with fan_in = (in/groups)·kh·kw, and zeroes convolution biases — the
/// initialization Shallow-Deep Networks use, taken in fan-in mode so depthwise convolutions keep
/// their scale too. With untrained (identity) batch norms it keeps activations steady through
/// deep ReLU stacks; PyTorch's default would shrink them about 0.4× per layer, and deep internal
/// classifiers would only ever see near-zero features.</summary>
public static class KaimingInit
{
    public static void ApplyToConvolutions(Module model, Random random)
    {
        var state = new Dictionary<string, Tensor>(model.SaveStateDict(), StringComparer.Ordinal);
        var convolutions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in model.NamedParameters())
            if (value.Rank == 4 && name.EndsWith(".weight", StringComparison.Ordinal))
            {
                var fanIn = value.Dim(1) * value.Dim(2) * value.Dim(3);
                var std = MathF.Sqrt(2f / fanIn);
                var weight = Tensor.Zeros(value.ShapeArray());
                foreach (ref var v in weight.Floats) v = ZooInputs.Normal(random) * std;
                state[name] = weight;
                convolutions.Add(name[..^".weight".Length]);
            }
        foreach (var layer in convolutions)
            if (state.TryGetValue(layer + ".bias", out var bias))
                state[layer + ".bias"] = Tensor.Zeros(bias.ShapeArray());
        model.LoadStateDict(state);
    }
}
