using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Passes.Hashing;

/// <summary>Which distribution an input set is drawn from.</summary>
public enum SampleSet
{
    /// <summary>The hashing set: floats uniform in [−2, 2], ints in [0, 2), fair bools.</summary>
    Primary,

    /// <summary>
    /// The confirmation set, independent of the first and wider: floats mix zeros, small values,
    /// and magnitudes up to 1e4, so functions that agree only on a small range are told apart.
    /// </summary>
    Confirmation,
}

/// <summary>
/// Seeded random values for a graph's inputs and weights, derived only from their types (and, for
/// weights, names): two graphs with the same signature get the same values. A dynamic dimension is
/// sampled as <see cref="DynamicDimension"/>.
/// </summary>
public static class InputSampler
{
    public const int DynamicDimension = 3;

    public static IReadOnlyList<object> Inputs(Graph graph, int seed, SampleSet set) =>
        graph.Inputs.Select((v, i) => Sample(v.Type, Seed(seed, set, "input#" + i, v.Type), set)).ToArray();

    /// <summary>The given weights, completed with sampled values for any not given.</summary>
    public static IReadOnlyDictionary<string, Tensor> Weights(Graph graph, int seed, SampleSet set, IReadOnlyDictionary<string, Tensor>? known = null)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var w in graph.Weights)
            result[w.Name] = known is not null && known.TryGetValue(w.Name, out var t) ? t
                : (Tensor)Sample(w.Type, Seed(seed, set, "@" + w.Name, w.Type), set);
        return result;
    }

    private static int Seed(int seed, SampleSet set, string slot, IRType type)
    {
        var h = new StableHash();
        h.Add(seed);
        h.Add((int)set);
        h.Add(slot);
        h.Add(type.ToString());
        return unchecked((int)h.Value ^ (int)(h.Value >> 32));
    }

    private static object Sample(IRType type, int seed, SampleSet set)
    {
        var random = new Random(seed);
        switch (type)
        {
            case ScalarType { Kind: ScalarKind.Int }:
                return random.Next(0, 2);
            case ScalarType { Kind: ScalarKind.Float }:
                return Float(random, set);
            case ScalarType:
                return random.Next(2) == 1;
            case TensorType t:
                var shape = t.Shape.Select(d => d == TensorType.Dynamic ? DynamicDimension : d).ToArray();
                var count = shape.Aggregate(1, (n, d) => n * d);
                return t.DType switch
                {
                    DType.Float32 => Tensor.FromArray(Enumerable.Range(0, count).Select(_ => Float(random, set)).ToArray(), shape),
                    DType.Int32 => Tensor.FromArray(Enumerable.Range(0, count).Select(_ => random.Next(0, 2)).ToArray(), shape),
                    DType.Int64 => Tensor.FromArray(Enumerable.Range(0, count).Select(_ => (long)random.Next(0, 2)).ToArray(), shape),
                    _ => Tensor.FromArray(Enumerable.Range(0, count).Select(_ => random.Next(2) == 1).ToArray(), shape),
                };
            default:
                throw new ArgumentException($"cannot sample a value of type {type}");
        }
    }

    private static float Float(Random random, SampleSet set)
    {
        if (set == SampleSet.Primary) return (float)(random.NextDouble() * 4 - 2);
        return random.Next(8) switch
        {
            0 => 0f,
            1 or 2 => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(2, 5))),
            _ => (float)(random.NextDouble() * 8 - 4),
        };
    }
}
