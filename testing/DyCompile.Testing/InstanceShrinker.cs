using DyCompile.Passes.Rules;
using DyCompile.Runtime;

namespace DyCompile.Testing;

/// <summary>
/// Smaller candidates for a failing instance, in the order they are tried: left sides regenerated
/// at smaller sizes (fewer, smaller dims), then the same left side with values made simpler one
/// element at a time (to 0, to 1, to an integer). Every candidate is strictly smaller in
/// (size, values not yet simple), so shrinking ends.
/// </summary>
internal sealed class InstanceShrinker(TensorRule rule, Func<Random, int, RuleApplication?> generate)
{
    private const int SeedsPerSize = 3;
    private const int ValueCandidates = 64;

    public IEnumerable<SoundnessInstance> Shrink(SoundnessInstance instance)
    {
        for (var size = 1; size < instance.Size; size++)
        {
            for (var k = 0; k < SeedsPerSize; k++)
            {
                var seed = HashCode.Combine(instance.Seed, size, k) & int.MaxValue;
                var random = new Random(seed);
                if (generate(random, size) is { } application && application.LeftSide.Nodes.Length <= instance.Application.LeftSide.Nodes.Length)
                    yield return SoundnessInstance.Sample(rule, application, random, seed, size);
            }
        }
        var produced = 0;
        var tensors = instance.Inputs.Select((t, i) => (Input: i, Name: (string?)null, Tensor: t))
            .Concat(instance.Weights.Select(w => (Input: -1, Name: (string?)w.Key, w.Value)));
        foreach (var (input, name, tensor) in tensors)
        {
            var values = tensor.ToFloatArray();
            for (var e = 0; e < values.Length; e++)
            {
                foreach (var simpler in Simpler(values[e]))
                {
                    if (produced++ >= ValueCandidates) yield break;
                    var copy = values.ToArray();
                    copy[e] = simpler;
                    var replaced = Tensor.FromArray(copy, tensor.ShapeArray());
                    yield return input >= 0
                        ? instance with { Inputs = [.. instance.Inputs.Select((t, i) => i == input ? replaced : t)] }
                        : instance with { Weights = instance.Weights.ToDictionary(w => w.Key, w => w.Key == name ? replaced : w.Value) };
                }
            }
        }
    }

    /// <summary>Simpler values than <paramref name="v"/>: 0, then 1, then its integer part.</summary>
    private static IEnumerable<float> Simpler(float v)
    {
        if (v != 0) yield return 0f;
        if (v != 0 && v != 1) yield return 1f;
        if (float.IsFinite(v) && v != MathF.Truncate(v) && MathF.Truncate(v) is not (0 or 1)) yield return MathF.Truncate(v);
    }
}
