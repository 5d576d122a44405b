using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Compiler.Jit;

/// <summary>One set of weight tensors a compiled program computes with (in program order), the
/// <see cref="Tensor.Version"/> each had when it was bound, and the weight-only work prepared from
/// them (shared, read-only, by every execution state bound to it).</summary>
internal sealed class WeightBinding(Tensor[] weights, int[] versions, long stateVersion, Tensor[][] prepared)
{
    public Tensor[] Weights { get; } = weights;

    public int[] Versions { get; } = versions;

    /// <summary><see cref="Module.StateVersion"/> when the weights were read from the model.</summary>
    public long StateVersion { get; } = stateVersion;

    public Tensor[][] Prepared { get; } = prepared;

    /// <summary>Whether no weight was changed in place (and marked) since it was bound.</summary>
    public bool VersionsHold()
    {
        var weights = Weights;
        var versions = Versions;
        for (var i = 0; i < weights.Length; i++)
            if (weights[i].Version != versions[i]) return false;
        return true;
    }

    public static int[] VersionsOf(Tensor[] weights) => [.. weights.Select(w => w.Version)];

    /// <summary>Whether <paramref name="weights"/> are these weights at these versions (the
    /// prepared work still holds).</summary>
    public bool SameAs(Tensor[] weights, int[] versions)
    {
        for (var i = 0; i < weights.Length; i++)
            if (!ReferenceEquals(weights[i], Weights[i]) || versions[i] != Versions[i]) return false;
        return true;
    }
}
