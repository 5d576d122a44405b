namespace DyCompile.Passes.EGraph;

/// <summary>
/// The result of <see cref="DagExtractor{TData}"/>: the chosen node of every needed class, the
/// summed cost of those nodes, whether the search proved it optimal, and the states it used.
/// </summary>
public sealed class DagExtraction
{
    private readonly Dictionary<EClassId, Term> _terms = [];

    internal DagExtraction(double cost, IReadOnlyDictionary<EClassId, ENode> choices, bool isExact, long states)
    {
        Cost = cost;
        Choices = choices;
        IsExact = isExact;
        States = states;
    }

    public double Cost { get; }

    public IReadOnlyDictionary<EClassId, ENode> Choices { get; }

    public bool IsExact { get; }

    public long States { get; }

    /// <summary>The chosen term of a root (canonical id); a shared class yields one shared <see cref="Term"/> object.</summary>
    public Term TermOf(EClassId root)
    {
        if (_terms.TryGetValue(root, out var term))
        {
            return term;
        }
        var node = Choices.TryGetValue(root, out var chosen)
            ? chosen
            : throw new KeyNotFoundException($"class {root} is not part of this extraction (use the canonical id)");
        term = new Term(node.Op, node.Payload, node.Children.Select(TermOf).ToArray());
        _terms[root] = term;
        return term;
    }
}
