using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>A form derived from weight tensors (packed panels, a padded copy), kept per tensor
/// object while the tensor lives and derived again when its <see cref="Tensor.Version"/> moved
/// since (a weight changed in place and marked with <see cref="Tensor.MarkModified"/>). Compiled
/// code passes the same weight tensors on every call, so the work is done once per weight.</summary>
internal sealed class WeightDerivedCache<T> where T : class
{
    private readonly ConditionalWeakTable<Tensor, Entry> _entries = new();

    /// <summary>The form of <paramref name="weight"/> that <paramref name="derive"/> makes, derived
    /// now if there is none for the tensor's current version.</summary>
    public T Get(Tensor weight, Func<Tensor, T> derive)
    {
        // Read the version before deriving: a change announced meanwhile derives again next time.
        var version = weight.Version;
        if (_entries.TryGetValue(weight, out var entry) && entry.Version == version) return entry.Value;
        var fresh = new Entry(version, derive(weight));
        _entries.AddOrUpdate(weight, fresh);
        return fresh.Value;
    }

    private sealed record Entry(int Version, T Value);
}
