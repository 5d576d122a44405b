using System.Globalization;
using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>Reads the text form printed by <see cref="IRPrinter"/>. Result types of a node may be
/// left out (<c>%a = relu(%x)</c>): they are then inferred through the catalog. Values may be used
/// before their definition in the text when their type is declared; the verifier, not the
/// parser, rejects such uses. Errors are <see cref="IRParseException"/>s with a position.
/// <code>
/// program   := 'program' @name '(' [%name ':' type, ...] ')' '->' '(' [type, ...] ')' '{' weight* block* '}'
/// weight    := 'weight' @name ':' type
/// block     := ^name ['(' %name ':' type, ... ')'] ':' statement*
/// statement := [%r, ... '='] op '(' [operand, ...] ')' ['{' name '=' attr, ... '}'] [':' type, ...]
///            | %r '=' 'const' literal [':' type]
///            | 'jump' target | 'branch' operand ',' target ',' target | 'return' [operand, ...]
/// target    := ^name ['(' operand, ... ')']        operand := %name | @name
/// type      := 'int' | 'float' | 'bool' | 'tensor' '&lt;' dtype ',' '[' [dim, ...] ']' '&gt;'   dim := integer | '?'
/// attr      := integer | float | 'true' | 'false' | '[' integer, ... ']' | dtype ('f32' 'i32' 'i64' 'bool')
/// literal   := scalar | '[' scalar, ... ']'   (elements in row-major order)
/// </code>
/// Floats are written with a '.' or an exponent, or as <c>nan</c>, <c>inf</c>, <c>-inf</c>;
/// <c>//</c> starts a comment. Numbers use the ASCII digits 0-9 only. Integers in types and
/// attributes are 32-bit; a float literal (an integer literal where a float is expected
/// included) is rounded to the nearest f32, and a finite one beyond the f32 range is an error.
/// Every problem with the text, down to shape inference of nodes written without result types,
/// is an <see cref="IRParseException"/>; no other exception leaves the parser.</summary>
public sealed class IRParser
{
    private readonly List<Token> _tokens;
    private int _pos;

    private IRParser(string text) => _tokens = Lexer.Tokenize(text);

    public static IRProgram Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new IRParser(text);
        var syntax = parser.ParseProgram();
        return new Resolver(syntax).Resolve();
    }

    // ---------------- syntax ----------------

    internal sealed record NamedType(Token Name, IRType Type);

    internal sealed record OperandSyntax(Token Name, bool IsWeight);

    internal sealed record AttrSyntax(Token Name, AttrValue Value, Token At);

    internal sealed record LiteralSyntax(Token At, List<Token> Elements, bool Bracketed);

    internal abstract record StatementSyntax(Token At);

    internal sealed record NodeSyntax(Token At, List<Token> Results, Token Op, List<OperandSyntax> Operands, LiteralSyntax? Literal, List<AttrSyntax> Attrs, List<IRType>? Types) : StatementSyntax(At);

    internal sealed record TargetSyntax(Token Block, List<OperandSyntax> Arguments);

    internal sealed record JumpSyntax(Token At, TargetSyntax Target) : StatementSyntax(At);

    internal sealed record BranchSyntax(Token At, OperandSyntax Condition, TargetSyntax IfTrue, TargetSyntax IfFalse) : StatementSyntax(At);

    internal sealed record ReturnSyntax(Token At, List<OperandSyntax> Values) : StatementSyntax(At);

    internal sealed record BlockSyntax(Token Name, List<NamedType> Parameters, List<StatementSyntax> Statements);

    internal sealed record ProgramSyntax(Token Name, List<NamedType> Inputs, List<IRType> Results, List<NamedType> Weights, List<BlockSyntax> Blocks);

    private Token Peek => _tokens[_pos];

    private Token Next() => _tokens[_pos == _tokens.Count - 1 ? _pos : _pos++];

    private static IRParseException Error(Token at, string detail) => new(at.Line, at.Column, detail);

    private static IRParseException Expected(string what, Token found) => Error(found, $"expected {what}, found {found.Describe()}");

    private Token Expect(string punct)
    {
        var t = Peek;
        if (!t.Is(punct)) throw Expected($"'{punct}'", t);
        return Next();
    }

    private Token ExpectWord(string word)
    {
        var t = Peek;
        if (!t.IsWord(word)) throw Expected($"'{word}'", t);
        return Next();
    }

    private Token Expect(TokenKind kind, string what)
    {
        var t = Peek;
        if (t.Kind != kind) throw Expected(what, t);
        return Next();
    }

    private bool Accept(string punct)
    {
        if (!Peek.Is(punct)) return false;
        Next();
        return true;
    }

    private ProgramSyntax ParseProgram()
    {
        ExpectWord("program");
        var name = Expect(TokenKind.GlobalRef, "the program name '@name'");
        var inputs = ParseParameterList();
        Expect("->");
        Expect("(");
        var results = new List<IRType>();
        if (!Peek.Is(")"))
            do results.Add(ParseType()); while (Accept(","));
        Expect(")");
        Expect("{");
        var weights = new List<NamedType>();
        while (Peek.IsWord("weight"))
        {
            Next();
            var w = Expect(TokenKind.GlobalRef, "a weight name '@name'");
            Expect(":");
            weights.Add(new NamedType(w, ParseType()));
        }
        var blocks = new List<BlockSyntax>();
        while (Peek.Kind == TokenKind.BlockRef)
            blocks.Add(ParseBlock());
        if (!Peek.Is("}"))
            throw Expected(blocks.Count == 0 ? "'weight', a block '^name' or '}'" : "a block '^name' or '}'", Peek);
        Next();
        if (Peek.Kind != TokenKind.End) throw Expected("end of input after the program", Peek);
        return new ProgramSyntax(name, inputs, results, weights, blocks);
    }

    private List<NamedType> ParseParameterList()
    {
        Expect("(");
        var list = new List<NamedType>();
        if (!Peek.Is(")"))
        {
            do
            {
                var name = Expect(TokenKind.ValueRef, "a parameter '%name'");
                Expect(":");
                list.Add(new NamedType(name, ParseType()));
            }
            while (Accept(","));
        }
        Expect(")");
        return list;
    }

    private BlockSyntax ParseBlock()
    {
        var name = Next();
        var parameters = Peek.Is("(") ? ParseParameterList() : [];
        Expect(":");
        var statements = new List<StatementSyntax>();
        while (Peek.Kind != TokenKind.BlockRef && !Peek.Is("}") && Peek.Kind != TokenKind.End)
            statements.Add(ParseStatement());
        return new BlockSyntax(name, parameters, statements);
    }

    private StatementSyntax ParseStatement()
    {
        var at = Peek;
        if (at.IsWord("jump"))
        {
            Next();
            return new JumpSyntax(at, ParseTarget());
        }
        if (at.IsWord("branch"))
        {
            Next();
            var condition = ParseOperand();
            Expect(",");
            var ifTrue = ParseTarget();
            Expect(",");
            return new BranchSyntax(at, condition, ifTrue, ParseTarget());
        }
        if (at.IsWord("return"))
        {
            Next();
            var values = new List<OperandSyntax>();
            if (Peek.Kind is TokenKind.ValueRef or TokenKind.GlobalRef)
                do values.Add(ParseOperand()); while (Accept(","));
            return new ReturnSyntax(at, values);
        }
        var results = new List<Token>();
        if (at.Kind == TokenKind.ValueRef)
        {
            do results.Add(Expect(TokenKind.ValueRef, "a result '%name'")); while (Accept(","));
            Expect("=");
        }
        var op = Expect(TokenKind.Identifier, "an op name, 'jump', 'branch' or 'return'");
        var operands = new List<OperandSyntax>();
        LiteralSyntax? literal = null;
        if (op.Text == "const")
        {
            literal = ParseLiteral();
        }
        else
        {
            Expect("(");
            if (!Peek.Is(")"))
                do operands.Add(ParseOperand()); while (Accept(","));
            Expect(")");
        }
        var attrs = new List<AttrSyntax>();
        if (Accept("{"))
        {
            if (!Peek.Is("}"))
            {
                do
                {
                    var name = Expect(TokenKind.Identifier, "an attribute name");
                    Expect("=");
                    var valueAt = Peek;
                    attrs.Add(new AttrSyntax(name, ParseAttrValue(), valueAt));
                }
                while (Accept(","));
            }
            Expect("}");
        }
        List<IRType>? types = null;
        if (Accept(":"))
        {
            types = [];
            do types.Add(ParseType()); while (Accept(","));
        }
        return new NodeSyntax(at, results, op, operands, literal, attrs, types);
    }

    private OperandSyntax ParseOperand()
    {
        var t = Peek;
        if (t.Kind is not (TokenKind.ValueRef or TokenKind.GlobalRef)) throw Expected("a value '%name' or weight '@name'", t);
        Next();
        return new OperandSyntax(t, t.Kind == TokenKind.GlobalRef);
    }

    private TargetSyntax ParseTarget()
    {
        var block = Expect(TokenKind.BlockRef, "a block '^name'");
        var args = new List<OperandSyntax>();
        if (Accept("("))
        {
            if (!Peek.Is(")"))
                do args.Add(ParseOperand()); while (Accept(","));
            Expect(")");
        }
        return new TargetSyntax(block, args);
    }

    private LiteralSyntax ParseLiteral()
    {
        var at = Peek;
        if (Accept("["))
        {
            var elements = new List<Token>();
            if (!Peek.Is("]"))
                do elements.Add(ParseScalarLiteral()); while (Accept(","));
            Expect("]");
            return new LiteralSyntax(at, elements, true);
        }
        return new LiteralSyntax(at, [ParseScalarLiteral()], false);
    }

    private Token ParseScalarLiteral()
    {
        var t = Peek;
        if (t.Kind is TokenKind.Integer or TokenKind.Float || t.IsWord("true") || t.IsWord("false") || t.IsWord("nan") || t.IsWord("inf"))
            return Next();
        throw Expected("a literal (number, true or false)", t);
    }

    private AttrValue ParseAttrValue()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokenKind.Integer:
                Next();
                return new IntAttr(ParseInt(t));
            case TokenKind.Float:
                Next();
                return new FloatAttr(ParseFloat(t));
            case TokenKind.Identifier when t.Text is "true" or "false":
                Next();
                return new BoolAttr(t.Text == "true");
            case TokenKind.Identifier when t.Text is "nan" or "inf":
                Next();
                return new FloatAttr(ParseFloat(t));
            case TokenKind.Identifier when TryParseDType(t.Text, out var dtype):
                Next();
                return new DTypeAttr(dtype);
            case TokenKind.Punct when t.Text == "[":
                Next();
                var values = new List<int>();
                if (!Peek.Is("]"))
                    do values.Add(ParseInt(Expect(TokenKind.Integer, "an integer"))); while (Accept(","));
                Expect("]");
                return new IntsAttr([.. values]);
            default:
                throw Expected("an attribute value (int, float, true/false, [ints] or a dtype)", t);
        }
    }

    private IRType ParseType()
    {
        var t = Peek;
        if (t.IsWord("int")) { Next(); return IRType.Int; }
        if (t.IsWord("float")) { Next(); return IRType.Float; }
        if (t.IsWord("bool")) { Next(); return IRType.Bool; }
        if (!t.IsWord("tensor")) throw Expected("a type (int, float, bool or tensor<...>)", t);
        Next();
        Expect("<");
        var dt = Expect(TokenKind.Identifier, "a dtype (f32, i32, i64, bool)");
        if (!TryParseDType(dt.Text, out var dtype)) throw Expected("a dtype (f32, i32, i64, bool)", dt);
        Expect(",");
        Expect("[");
        var dims = new List<int>();
        if (!Peek.Is("]"))
        {
            do
            {
                if (Accept("?")) dims.Add(TensorType.Dynamic);
                else
                {
                    var d = Expect(TokenKind.Integer, "a dimension size or '?'");
                    var v = ParseInt(d);
                    if (v < 0) throw Error(d, $"expected a dimension size >= 0 or '?', found {d.Text}");
                    dims.Add(v);
                }
            }
            while (Accept(","));
        }
        Expect("]");
        Expect(">");
        return new TensorType(dtype, dims);
    }

    internal static bool TryParseDType(string text, out DType dtype)
    {
        foreach (var d in Enum.GetValues<DType>())
        {
            if (d.ShortName() == text)
            {
                dtype = d;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    internal static int ParseInt(Token t) =>
        int.TryParse(t.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw Error(t, $"expected a 32-bit integer, found {t.Text}");

    /// <summary>A float literal, rounded to the nearest f32. A finite literal beyond the f32 range
    /// is an error rather than a silent infinity; <c>inf</c> and <c>-inf</c> say that.</summary>
    internal static float ParseFloat(Token t)
    {
        switch (t.Text)
        {
            case "nan": return float.NaN;
            case "inf": return float.PositiveInfinity;
            case "-inf": return float.NegativeInfinity;
        }
        if (!float.TryParse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw Error(t, $"expected a number, found {t.Text}");
        if (float.IsInfinity(value))
            throw Error(t, $"the number {t.Text} is beyond the f32 range (magnitude at most {float.MaxValue.ToString("R", CultureInfo.InvariantCulture)}); write inf or -inf for an infinity");
        return value;
    }
}
