using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Passes.Hashing;

/// <summary>
/// Maps functional hashes to artefacts (e.g. compiled segments). A hash hit is only a candidate:
/// before an artefact is reused, the new graph and the cached one are run on a second, independent
/// input set (<see cref="SampleSet.Confirmation"/>) and must agree within the tolerance, with the
/// same input and output types. A candidate that fails is counted in <see cref="Rejected"/> and
/// not reused.
/// </summary>
/// <example><code>
/// var cache = new FunctionalCache&lt;CompiledSegment&gt;();
/// var compiled = cache.GetOrAdd(segment, Compile);   // compiled once per function
/// </code></example>
public sealed class FunctionalCache<T>(FunctionalHasher? hasher = null, double relativeTolerance = 1e-3, double absoluteTolerance = 1e-4)
{
    private readonly Dictionary<FunctionalHash, List<Entry>> _entries = [];

    private sealed record Entry(Graph Graph, IReadOnlyDictionary<string, Tensor>? Weights, T Artefact);

    public FunctionalHasher Hasher { get; } = hasher ?? new FunctionalHasher();

    public int Hits { get; private set; }

    public int Misses { get; private set; }

    /// <summary>Hash hits that the confirmation run refused.</summary>
    public int Rejected { get; private set; }

    public int Count => _entries.Values.Sum(l => l.Count);

    /// <summary>The artefact of an equivalent cached graph, confirmed on the second input set.</summary>
    public bool TryGet(Graph graph, out T artefact, IReadOnlyDictionary<string, Tensor>? weights = null)
    {
        if (_entries.TryGetValue(Hasher.Hash(graph, weights), out var candidates))
        {
            foreach (var entry in candidates)
            {
                if (Confirm(entry, graph, weights))
                {
                    Hits++;
                    artefact = entry.Artefact;
                    return true;
                }
                Rejected++;
            }
        }
        Misses++;
        artefact = default!;
        return false;
    }

    public void Add(Graph graph, T artefact, IReadOnlyDictionary<string, Tensor>? weights = null)
    {
        var hash = Hasher.Hash(graph, weights);
        if (!_entries.TryGetValue(hash, out var list)) _entries[hash] = list = [];
        list.Add(new Entry(graph, weights, artefact));
    }

    /// <summary>The cached artefact of an equivalent graph, or a new one made by <paramref name="factory"/> and cached.</summary>
    public T GetOrAdd(Graph graph, Func<Graph, T> factory, IReadOnlyDictionary<string, Tensor>? weights = null)
    {
        if (TryGet(graph, out var found, weights)) return found;
        var made = factory(graph);
        Add(graph, made, weights);
        return made;
    }

    private bool Confirm(Entry entry, Graph graph, IReadOnlyDictionary<string, Tensor>? weights)
    {
        if (!entry.Graph.Inputs.Select(v => v.Type).SequenceEqual(graph.Inputs.Select(v => v.Type))
            || !entry.Graph.Outputs.Select(v => v.Type).SequenceEqual(graph.Outputs.Select(v => v.Type)))
            return false;
        try
        {
            var expected = Hasher.Evaluate(entry.Graph, SampleSet.Confirmation, entry.Weights);
            var actual = Hasher.Evaluate(graph, SampleSet.Confirmation, weights);
            return OutputComparison.Difference(expected, actual, relativeTolerance, absoluteTolerance) is null;
        }
        catch (InterpreterException)
        {
            return false;
        }
    }
}
