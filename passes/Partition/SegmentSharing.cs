using DyCompile.IR;
using DyCompile.Passes.Hashing;

namespace DyCompile.Passes.Partition;

/// <summary>Groups segments into the distinct segments that get compiled: first by canonical text
/// (<see cref="StructuralHash"/>: exact), then, among structurally different segments with the
/// same signature (input, weight and output types), by functional hash confirmed on a second input
/// set (<see cref="FunctionalCache{T}"/>), so segments that compute the same function written
/// differently (operands swapped, a different but equivalent op order) share one compiled body.
/// Functional hashing runs a segment in the interpreter, so it is only tried when a signature
/// repeats.</summary>
internal sealed class SegmentSharing(bool functional)
{
    private readonly Dictionary<string, DistinctSegment> _byKey = [];
    private readonly Dictionary<string, List<DistinctSegment>> _bySignature = [];
    private readonly FunctionalCache<DistinctSegment> _cache = new();
    private readonly HashSet<DistinctSegment> _hashed = [];
    private readonly List<DistinctSegment> _distinct = [];

    public IReadOnlyList<DistinctSegment> Distinct => _distinct;

    /// <summary>Segments shared because they compute the same function, not because they read the same.</summary>
    public int FunctionalHits { get; private set; }

    public DistinctSegment Classify(Graph canonical)
    {
        var key = StructuralHash.Key(canonical);
        if (_byKey.TryGetValue(key, out var same)) return same;

        var signature = Signature(canonical);
        if (!_bySignature.TryGetValue(signature, out var candidates)) _bySignature[signature] = candidates = [];
        if (functional && candidates.Count > 0 && HasNoEffects(canonical) && FindEquivalent(canonical, candidates) is { } equivalent)
        {
            FunctionalHits++;
            return _byKey[key] = equivalent;
        }

        var created = new DistinctSegment(_distinct.Count, canonical, key);
        _distinct.Add(created);
        candidates.Add(created);
        return _byKey[key] = created;
    }

    private static string Signature(Graph g) =>
        string.Join(",", g.Inputs.Select(v => v.Type)) + " | " + string.Join(",", g.Weights.Select(v => v.Type)) + " -> " + string.Join(",", g.Outputs.Select(v => v.Type));

    private DistinctSegment? FindEquivalent(Graph canonical, List<DistinctSegment> candidates)
    {
        try
        {
            foreach (var candidate in candidates.Where(c => HasNoEffects(c.Graph) && _hashed.Add(c)))
                _cache.Add(candidate.Graph, candidate);
            return _cache.TryGet(canonical, out var equivalent) ? equivalent : null;
        }
        catch (InterpreterException)
        {
            // Sampled values are not valid inputs for this graph (e.g. an index out of range):
            // no functional evidence either way, so the segment stays distinct.
            return null;
        }
    }

    /// <summary>Side effects must not run at compile time.</summary>
    private static bool HasNoEffects(Graph g) => g.Nodes.All(n => n.Op != "host.call");
}
