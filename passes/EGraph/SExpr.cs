namespace DyCompile.Passes.EGraph;

/// <summary>
/// The raw shape of s-expression text — atoms and lists, each with its position — before a
/// <see cref="Language"/> gives it meaning. Shared by <see cref="Term"/> and <see cref="Pattern"/>.
/// </summary>
internal abstract record SExpr(int Position)
{
    internal sealed record Atom(string Text, int Position) : SExpr(Position);

    internal sealed record List(IReadOnlyList<SExpr> Items, int Position) : SExpr(Position);

    public static SExpr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var position = 0;
        SkipSpace(text, ref position);
        if (position == text.Length)
        {
            throw new SExprSyntaxException("expected an expression, found the end of the input", position);
        }
        var result = ParseOne(text, ref position);
        SkipSpace(text, ref position);
        if (position != text.Length)
        {
            throw new SExprSyntaxException($"unexpected '{text[position]}' after the expression", position);
        }
        return result;
    }

    private static SExpr ParseOne(string text, ref int position)
    {
        var start = position;
        if (text[position] == ')')
        {
            throw new SExprSyntaxException("unexpected ')'", position);
        }
        if (text[position] != '(')
        {
            while (position < text.Length && !char.IsWhiteSpace(text[position]) && text[position] is not ('(' or ')'))
            {
                position++;
            }
            return new Atom(text[start..position], start);
        }
        position++;
        var items = new List<SExpr>();
        while (true)
        {
            SkipSpace(text, ref position);
            if (position == text.Length)
            {
                throw new SExprSyntaxException("unclosed '(' opened", start);
            }
            if (text[position] == ')')
            {
                position++;
                break;
            }
            items.Add(ParseOne(text, ref position));
        }
        if (items.Count == 0)
        {
            throw new SExprSyntaxException("empty list '()'", start);
        }
        return new List(items, start);
    }

    private static void SkipSpace(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }

    /// <summary>
    /// Checks a list's head against the language: an operator atom with the list's arity.
    /// </summary>
    public static Operator ResolveOperator(Language language, List list)
    {
        if (list.Items[0] is not Atom head)
        {
            throw new SExprSyntaxException("expected an operator name", list.Items[0].Position);
        }
        if (head.Text.StartsWith('?'))
        {
            throw new SExprSyntaxException($"a variable ('{head.Text}') cannot be an operator", head.Position);
        }
        if (!language.TryGetOperator(head.Text, out var op))
        {
            throw new SExprSyntaxException($"unknown operator '{head.Text}'", head.Position);
        }
        var arity = list.Items.Count - 1;
        if (op.Arity != arity)
        {
            throw new SExprSyntaxException(
                $"operator '{op.Name}' takes {op.Arity} argument(s) but is given {arity}", head.Position);
        }
        return op;
    }

    /// <summary>The leaf an atom denotes in the language, or a positioned error.</summary>
    public static ENode ResolveAtom(Language language, Atom atom)
    {
        if (language.TryGetOperator(atom.Text, out var op) && op.Arity != 0)
        {
            throw new SExprSyntaxException(
                $"operator '{op.Name}' takes {op.Arity} argument(s) and must be written in a list", atom.Position);
        }
        return language.ParseAtom(atom.Text)
            ?? throw new SExprSyntaxException($"'{atom.Text}' is not an atom of the language", atom.Position);
    }
}
