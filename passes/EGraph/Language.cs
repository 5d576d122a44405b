namespace DyCompile.Passes.EGraph;

/// <summary>
/// What s-expressions mean: the operators (name and arity) and how any other atom becomes a leaf
/// e-node with a payload. The e-graph itself needs no language; patterns and terms parsed from
/// text do.
/// </summary>
/// <example><code>
/// var arith = new Language(
///     [new("+", 2), new("*", 2)],
///     atom => double.TryParse(atom, CultureInfo.InvariantCulture, out var n)
///         ? new ENode("num", n) : new ENode("sym", atom));
/// </code></example>
public sealed class Language
{
    private readonly Dictionary<string, Operator> _operators = new(StringComparer.Ordinal);
    private readonly Func<string, ENode?>? _parseAtom;

    /// <param name="operators">The operators; arity-0 ones are keyword atoms.</param>
    /// <param name="parseAtom">
    /// Turns any other atom into a leaf e-node (its operator need not be listed), or returns null
    /// to reject it.
    /// </param>
    public Language(IEnumerable<Operator> operators, Func<string, ENode?>? parseAtom = null)
    {
        foreach (var op in operators)
        {
            if (!_operators.TryAdd(op.Name, op))
            {
                throw new ArgumentException($"operator '{op.Name}' is defined twice", nameof(operators));
            }
        }
        _parseAtom = parseAtom;
    }

    public IReadOnlyCollection<Operator> Operators => _operators.Values;

    public bool TryGetOperator(string name, out Operator op) => _operators.TryGetValue(name, out op!);

    /// <summary>The leaf e-node an atom denotes, or null when the language rejects it.</summary>
    public ENode? ParseAtom(string atom)
    {
        if (_operators.TryGetValue(atom, out var op))
        {
            return op.Arity == 0 ? new ENode(op.Name) : null;
        }
        var leaf = _parseAtom?.Invoke(atom);
        if (leaf is { IsLeaf: false })
        {
            throw new InvalidOperationException($"the atom parser returned a non-leaf node for '{atom}'");
        }
        return leaf;
    }
}
