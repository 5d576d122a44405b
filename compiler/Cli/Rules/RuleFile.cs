using DyCompile.Compiler;
using DyCompile.Passes.EGraph;
using DyCompile.Passes.Rules;

namespace DyCompile.Cli.Rules;

/// <summary>
/// A file of text rules, one a line: <c>name kind [claims]: left => right</c>, where kind is
/// <c>exact</c>, <c>rounding</c> or <c>fast-math</c>, the claims are <c>keeps-non-finite</c> and
/// <c>refines-underflow</c>, and both sides are patterns as <see cref="TensorRule.Parse(string, RuleKind, string, string)"/>
/// takes them. <c>#</c> starts a comment; blank lines are skipped (docs/soundness.md).
/// </summary>
public static class RuleFile
{
    private const string Arrow = "=>";

    /// <summary>The rules of the file, or diagnostics (<see cref="ToolDiagnosticIds.BadRule"/>) at every line that does not parse.</summary>
    public static (IReadOnlyList<RuleLine> Rules, IReadOnlyList<Diagnostic> Errors) Parse(string path, string text)
    {
        var rules = new List<RuleLine>();
        var errors = new List<Diagnostic>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = i + 1;
            var content = StripComment(lines[i].TrimEnd('\r'));
            if (content.Trim().Length == 0) continue;
            try
            {
                var rule = ParseLine(content);
                if (names.TryGetValue(rule.Name, out var first))
                    throw new RuleSyntaxException($"a rule named '{rule.Name}' is already defined on line {first}", content.IndexOf(rule.Name, StringComparison.Ordinal));
                names[rule.Name] = line;
                rules.Add(new RuleLine(rule, line));
            }
            catch (RuleSyntaxException e)
            {
                errors.Add(new Diagnostic(ToolDiagnosticIds.BadRule, DiagnosticSeverity.Error, path, line, e.Offset + 1, e.Message));
            }
        }
        return (rules, errors);
    }

    private static string StripComment(string line) => line.IndexOf('#') is var hash and >= 0 ? line[..hash] : line;

    private static TensorRule ParseLine(string line)
    {
        var colon = line.IndexOf(':');
        if (colon < 0) throw new RuleSyntaxException("expected 'name kind: left => right' (no ':' after the name and kind)", FirstNonSpace(line, 0));
        var arrow = line.IndexOf(Arrow, colon, StringComparison.Ordinal);
        if (arrow < 0) throw new RuleSyntaxException($"expected '{Arrow}' between the left and the right side", FirstNonSpace(line, colon + 1));

        var header = Words(line, 0, colon);
        if (header.Count < 2) throw new RuleSyntaxException("expected a rule name and a kind (exact, rounding or fast-math) before ':'", FirstNonSpace(line, 0));
        var (name, _) = header[0];
        var kind = header[1].Word.ToLowerInvariant() switch
        {
            "exact" => RuleKind.Exact,
            "rounding" => RuleKind.Rounding,
            "fast-math" or "fastmath" => RuleKind.FastMath,
            _ => throw new RuleSyntaxException($"unknown kind '{header[1].Word}' (exact, rounding or fast-math)", header[1].Offset),
        };
        foreach (var (claim, offset) in header.Skip(2))
        {
            if (claim is not ("keeps-non-finite" or "refines-underflow"))
                throw new RuleSyntaxException($"unknown claim '{claim}' (keeps-non-finite or refines-underflow)", offset);
        }

        var leftStart = FirstNonSpace(line, colon + 1);
        var left = line[leftStart..arrow].TrimEnd();
        var rightStart = FirstNonSpace(line, arrow + Arrow.Length);
        var right = line[rightStart..].TrimEnd();
        if (left.Length == 0) throw new RuleSyntaxException("the left side is empty", leftStart);
        if (right.Length == 0) throw new RuleSyntaxException("the right side is empty", rightStart);

        TensorRule rule;
        try
        {
            rule = TensorRule.Parse(name, kind, left, right);
        }
        catch (SExprSyntaxException e)
        {
            // The pattern parsers read one side at a time; find which side it was from the text itself.
            var side = IsSyntaxErrorIn(left) ? leftStart : rightStart;
            throw new RuleSyntaxException(e.Problem, side + Math.Max(0, e.Position));
        }
        catch (ArgumentException e)
        {
            throw new RuleSyntaxException(e.Message, rightStart);
        }
        foreach (var (claim, _) in header.Skip(2))
        {
            if (claim == "keeps-non-finite") rule.KeepsNonFinite();
            else rule.RefinesUnderflowOfLeftSide();
        }
        return rule;
    }

    private static bool IsSyntaxErrorIn(string left)
    {
        try
        {
            Pattern.Parse(TensorLanguage.Language, left);
            return false;
        }
        catch (SExprSyntaxException)
        {
            return true;
        }
    }

    private static int FirstNonSpace(string line, int from)
    {
        var i = from;
        while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
        return Math.Min(i, line.Length);
    }

    private static List<(string Word, int Offset)> Words(string line, int from, int to)
    {
        var words = new List<(string, int)>();
        var i = from;
        while (i < to)
        {
            while (i < to && char.IsWhiteSpace(line[i])) i++;
            var start = i;
            while (i < to && !char.IsWhiteSpace(line[i])) i++;
            if (i > start) words.Add((line[start..i], start));
        }
        return words;
    }
}
