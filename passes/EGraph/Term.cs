using System.Globalization;

namespace DyCompile.Passes.EGraph;

/// <summary>
/// A plain expression tree: what goes into an e-graph and what extraction gives back. Value
/// equality; prints as an s-expression (a leaf with a payload prints as the payload).
/// </summary>
public sealed class Term : IEquatable<Term>
{
    public Term(string op, object? payload = null, IReadOnlyList<Term>? children = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        Op = op;
        Payload = payload;
        Children = children ?? [];
    }

    public string Op { get; }

    public object? Payload { get; }

    public IReadOnlyList<Term> Children { get; }

    /// <summary>The number of nodes in the tree.</summary>
    public int Size => 1 + Children.Sum(c => c.Size);

    /// <summary>Parses s-expression text; atoms and operators are resolved by <paramref name="language"/>.</summary>
    /// <exception cref="SExprSyntaxException">Malformed text; the message names the position.</exception>
    public static Term Parse(Language language, string text) => FromSExpr(language, SExpr.Parse(text));

    private static Term FromSExpr(Language language, SExpr expr)
    {
        switch (expr)
        {
            case SExpr.Atom atom:
                if (atom.Text.StartsWith('?'))
                {
                    throw new SExprSyntaxException($"a term cannot contain the variable '{atom.Text}'", atom.Position);
                }
                var leaf = SExpr.ResolveAtom(language, atom);
                return new Term(leaf.Op, leaf.Payload);
            case SExpr.List list:
                var op = SExpr.ResolveOperator(language, list);
                return new Term(op.Name, null, list.Items.Skip(1).Select(i => FromSExpr(language, i)).ToArray());
            default:
                throw new InvalidOperationException("unknown s-expression");
        }
    }

    internal static string FormatPayload(object payload) =>
        payload is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : payload.ToString() ?? "";

    public override string ToString()
    {
        var head = Payload is null ? Op : FormatPayload(Payload);
        return Children.Count == 0 ? head : $"({head} {string.Join(' ', Children)})";
    }

    public bool Equals(Term? other) =>
        other is not null
        && Op == other.Op
        && Equals(Payload, other.Payload)
        && Children.SequenceEqual(other.Children);

    public override bool Equals(object? obj) => Equals(obj as Term);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Op);
        hash.Add(Payload);
        foreach (var child in Children)
        {
            hash.Add(child);
        }
        return hash.ToHashCode();
    }
}
