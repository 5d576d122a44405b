using System.Globalization;
using static DyCompile.IR.IRParser;

namespace DyCompile.IR;

/// <summary>Turns parsed syntax into a <see cref="IRProgram"/>: binds names to values and blocks,
/// checks ops and attributes against the catalog, and infers result types that were left out.</summary>
internal sealed class Resolver(ProgramSyntax syntax)
{
    private readonly Dictionary<string, Value> _weights = [];
    private readonly Dictionary<string, Value> _values = [];
    private readonly Dictionary<string, Token> _definedAt = [];
    private readonly HashSet<string> _blocks = [];

    private const long MaxExactInteger = 1L << 53;

    private static IRParseException Error(Token at, string detail) => new(at.Line, at.Column, detail);

    public IRProgram Resolve()
    {
        var inputNames = new HashSet<string>();
        foreach (var input in syntax.Inputs)
            if (!inputNames.Add(input.Name.Text))
                throw Error(input.Name, $"duplicate definition of program input %{input.Name.Text}");
        foreach (var w in syntax.Weights)
        {
            if (_weights.ContainsKey(w.Name.Text)) throw Error(w.Name, $"duplicate definition of weight @{w.Name.Text}");
            _weights[w.Name.Text] = new Value(w.Name.Text, w.Type, ValueKind.Weight);
        }
        foreach (var block in syntax.Blocks)
        {
            if (!_blocks.Add(block.Name.Text)) throw Error(block.Name, $"duplicate definition of block ^{block.Name.Text}");
            foreach (var p in block.Parameters) Define(p.Name, p.Type, ValueKind.Parameter);
            foreach (var node in block.Statements.OfType<NodeSyntax>())
            {
                if (node.Types is { } types)
                {
                    if (types.Count != node.Results.Count)
                        throw Error(node.Op, $"expected {node.Results.Count} result type(s) after ':', found {types.Count}");
                    for (var i = 0; i < types.Count; i++) Define(node.Results[i], types[i], ValueKind.Result);
                }
                else
                {
                    foreach (var r in node.Results) Reserve(r);
                }
            }
        }
        var blocks = syntax.Blocks.Select(ResolveBlock).ToList();
        return new IRProgram(
            syntax.Name.Text,
            syntax.Inputs.Select(i => new ProgramInput(i.Name.Text, i.Type)),
            syntax.Results,
            syntax.Weights.Select(w => _weights[w.Name.Text]),
            blocks);
    }

    private void Reserve(Token name)
    {
        if (_definedAt.TryGetValue(name.Text, out var first))
            throw Error(name, $"duplicate definition of %{name.Text} (first defined at {first.Line}:{first.Column})");
        _definedAt[name.Text] = name;
    }

    private Value Define(Token name, IRType type, ValueKind kind)
    {
        Reserve(name);
        return _values[name.Text] = new Value(name.Text, type, kind);
    }

    private Value Lookup(OperandSyntax operand)
    {
        var name = operand.Name.Text;
        if (operand.IsWeight)
            return _weights.TryGetValue(name, out var w) ? w : throw Error(operand.Name, $"undefined weight @{name} (declare it with 'weight @{name} : type')");
        if (_values.TryGetValue(name, out var v)) return v;
        if (_definedAt.TryGetValue(name, out var at))
            throw Error(operand.Name, $"the type of %{name} is not known here: declare the result type of its definition at {at.Line}:{at.Column}");
        throw Error(operand.Name, $"undefined value %{name}");
    }

    private Block ResolveBlock(BlockSyntax block)
    {
        var parameters = block.Parameters.Select(p => _values[p.Name.Text]);
        var instructions = block.Statements.Select(ResolveStatement).ToList();
        return new Block(block.Name.Text, parameters, instructions);
    }

    private Instruction ResolveStatement(StatementSyntax statement) => statement switch
    {
        NodeSyntax node => ResolveNode(node),
        JumpSyntax jump => new Jump(ResolveTarget(jump.Target)),
        BranchSyntax branch => new Branch(Lookup(branch.Condition), ResolveTarget(branch.IfTrue), ResolveTarget(branch.IfFalse)),
        ReturnSyntax ret => new Return(ret.Values.Select(Lookup)),
        _ => throw new InvalidOperationException(),
    };

    private BlockTarget ResolveTarget(TargetSyntax target)
    {
        if (!_blocks.Contains(target.Block.Text)) throw Error(target.Block, $"undefined block ^{target.Block.Text}");
        return new BlockTarget(target.Block.Text, [.. target.Arguments.Select(Lookup)]);
    }

    private Node ResolveNode(NodeSyntax node)
    {
        if (!OpCatalog.TryGet(node.Op.Text, out var def))
            throw Error(node.Op, $"unknown op '{node.Op.Text}'");
        var operands = node.Operands.Select(Lookup).ToList();
        var attrs = ResolveAttrs(def, node.Attrs);
        if (node.Literal is { } literal)
            return ResolveConst(node, literal, attrs);

        IReadOnlyList<IRType> types;
        if (node.Types is { } declared)
        {
            types = declared;
        }
        else
        {
            var inferred = OpCatalog.Infer(def.Name, operands.Select(o => o.Type).ToList(), attrs);
            if (!inferred.Succeeded) throw Error(node.Op, inferred.ErrorMessage!);
            types = inferred.Types!;
            if (types.Count != node.Results.Count)
                throw Error(node.Op, $"{def.Name} has {types.Count} result(s), found {node.Results.Count} name(s) before '='");
        }
        var results = node.Results.Select((r, i) => _values.TryGetValue(r.Text, out var v) ? v : _values[r.Text] = new Value(r.Text, types[i], ValueKind.Result)).ToList();
        return new Node(def.Name, operands, attrs, results);
    }

    private static Attrs ResolveAttrs(OpDef def, List<AttrSyntax> syntax)
    {
        var attrs = new Attrs();
        foreach (var a in syntax)
        {
            var attrDef = def.FindAttribute(a.Name.Text)
                ?? throw Error(a.Name, $"unknown attribute '{a.Name.Text}' for op '{def.Name}'" +
                    (def.Attributes.Length == 0 ? " (it takes none)" : $" (expected {string.Join(", ", def.Attributes.Select(x => x.Name))})"));
            if (attrs.Contains(a.Name.Text)) throw Error(a.Name, $"duplicate attribute '{a.Name.Text}'");
            var value = a.Value;
            if (attrDef.Kind == AttrKind.Float && value is IntAttr i) value = new FloatAttr(i.Value); // an integer literal is a valid float
            if (value.Kind != attrDef.Kind)
                throw Error(a.At, $"attribute '{attrDef.Name}' of {def.Name} expects {AttrValue.KindName(attrDef.Kind)}, found {AttrValue.KindName(value.Kind)} {value}");
            attrs.Add(a.Name.Text, value);
        }
        return attrs;
    }

    private Node ResolveConst(NodeSyntax node, LiteralSyntax literal, Attrs attrs)
    {
        if (node.Results.Count != 1) throw Error(node.At, $"const defines one value, found {node.Results.Count} name(s) before '='");
        IRType type;
        if (node.Types is { } declared)
        {
            type = declared[0];
        }
        else if (!literal.Bracketed)
        {
            var e = literal.Elements[0];
            type = e.Kind == TokenKind.Integer ? IRType.Int : e.Kind == TokenKind.Identifier && e.Text is "true" or "false" ? IRType.Bool : IRType.Float;
        }
        else
        {
            throw Error(literal.At, "expected ': tensor<...>' after a tensor literal, found none");
        }

        if (type is TensorType tensor)
        {
            if (!literal.Bracketed) throw Error(literal.At, $"expected a bracketed list of elements for a constant of type {type}, found {literal.Elements[0].Describe()}");
            if (tensor.IsStatic && literal.Elements.Count != tensor.ElementCount)
                throw Error(literal.At, $"expected {tensor.ElementCount} element(s) for {type}, found {literal.Elements.Count}");
        }
        else if (literal.Bracketed)
        {
            throw Error(literal.At, $"expected a single literal for a constant of type {type}, found '['");
        }
        var kind = ConstPayload.ElementKind(type);
        var values = literal.Elements.Select(e => Element(e, kind, type)).ToArray();
        var result = _values.TryGetValue(node.Results[0].Text, out var v) ? v : _values[node.Results[0].Text] = new Value(node.Results[0].Text, type, ValueKind.Result);
        return new Node("const", [], attrs, [result], ConstPayload.Of(values));
    }

    private static double Element(Token e, ScalarKind kind, IRType type)
    {
        var isBool = e.Kind == TokenKind.Identifier && e.Text is "true" or "false";
        switch (kind)
        {
            case ScalarKind.Bool when isBool:
                return e.Text == "true" ? 1 : 0;
            case ScalarKind.Float when !isBool:
                return ParseFloat(e); // an integer literal is a float too, rounded to the nearest f32 like any other
            case ScalarKind.Int when e.Kind == TokenKind.Integer:
                return type is ScalarType or TensorType { DType: Runtime.DType.Int32 }
                    ? ParseInt(e)
                    : long.TryParse(e.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && l >= -MaxExactInteger && l <= MaxExactInteger
                        ? l
                        : throw Error(e, $"expected an integer of magnitude at most 2^53, found {e.Text}");
            default:
                var expected = kind switch { ScalarKind.Bool => "true or false", ScalarKind.Float => "a number", _ => "an integer" };
                throw Error(e, $"expected {expected} for a constant of type {type}, found {e.Describe()}");
        }
    }
}
