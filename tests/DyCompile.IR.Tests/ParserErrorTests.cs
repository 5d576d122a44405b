namespace DyCompile.IR.Tests;

public class ParserErrorTests
{
    private static IRParseException Fails(string text) => Assert.Throws<IRParseException>(() => IRParser.Parse(text));

    private const string Header = "program @p(%x: tensor<f32, [2, 3]>) -> (tensor<f32, [2, 3]>) {\n^entry(%x: tensor<f32, [2, 3]>):\n";

    [Fact]
    public void MissingParenthesisReportsPositionExpectedAndFound()
    {
        var e = Fails(Header + "  %y = relu(%x\n  return %y\n}");
        Assert.Equal((4, 3), (e.Line, e.Column));
        Assert.Equal("expected ')', found 'return'", e.Detail);
        Assert.StartsWith("4:3: ", e.Message);
    }

    [Fact]
    public void BadTypeSyntax()
    {
        var e = Fails("program @p(%x: tensor<f33, [2]>) -> () {\n}");
        Assert.Equal((1, 23), (e.Line, e.Column));
        Assert.Equal("expected a dtype (f32, i32, i64, bool), found 'f33'", e.Detail);
    }

    [Fact]
    public void UnknownOp()
    {
        var e = Fails(Header + "  %y = frobnicate(%x)\n  return %y\n}");
        Assert.Equal((3, 8), (e.Line, e.Column));
        Assert.Equal("unknown op 'frobnicate'", e.Detail);
    }

    [Fact]
    public void UnknownAttribute()
    {
        var e = Fails(Header + "  %y = softmax(%x) {dim = 1, axis = 0}\n  return %y\n}");
        Assert.Equal((3, 30), (e.Line, e.Column));
        Assert.Equal("unknown attribute 'axis' for op 'softmax' (expected dim)", e.Detail);
    }

    [Fact]
    public void WrongAttributeKind()
    {
        var e = Fails(Header + "  %y = sum(%x) {dims = true, keepdim = false}\n  return %y\n}");
        Assert.Equal((3, 24), (e.Line, e.Column));
        Assert.Equal("attribute 'dims' of sum expects int[], found bool true", e.Detail);
    }

    [Fact]
    public void UndefinedValue()
    {
        var e = Fails(Header + "  %y = add(%x, %z)\n  return %y\n}");
        Assert.Equal((3, 16), (e.Line, e.Column));
        Assert.Equal("undefined value %z", e.Detail);
    }

    [Fact]
    public void UndefinedWeight()
    {
        var e = Fails(Header + "  %y = add(%x, @w)\n  return %y\n}");
        Assert.Equal((3, 16), (e.Line, e.Column));
        Assert.StartsWith("undefined weight @w", e.Detail);
    }

    [Fact]
    public void UndefinedBlock()
    {
        var e = Fails(Header + "  jump ^nowhere(%x)\n}");
        Assert.Equal((3, 8), (e.Line, e.Column));
        Assert.Equal("undefined block ^nowhere", e.Detail);
    }

    [Fact]
    public void DuplicateDefinition()
    {
        var e = Fails(Header + "  %y = relu(%x)\n  %y = exp(%x)\n  return %y\n}");
        Assert.Equal((4, 3), (e.Line, e.Column));
        Assert.Equal("duplicate definition of %y (first defined at 3:3)", e.Detail);
    }

    [Fact]
    public void DuplicateBlock()
    {
        var e = Fails(Header + "  return %x\n^entry:\n  return %x\n}");
        Assert.Equal((4, 1), (e.Line, e.Column));
        Assert.Equal("duplicate definition of block ^entry", e.Detail);
    }

    [Fact]
    public void ShapeRuleFailureWhenInferringTypes()
    {
        var e = Fails(Header + "  %y = matmul(%x, %x)\n  return %y\n}");
        Assert.Equal((3, 8), (e.Line, e.Column));
        Assert.Equal("matmul: inner dimensions differ: [2, 3] @ [2, 3] (operands: tensor<f32, [2, 3]>, tensor<f32, [2, 3]>)", e.Detail);
    }

    [Fact]
    public void ConstLiteralMustFitItsType()
    {
        var e = Fails(Header + "  %c = const [1.0, 2.0] : tensor<f32, [3]>\n  return %x\n}");
        Assert.Equal((3, 14), (e.Line, e.Column));
        Assert.Equal("expected 3 element(s) for tensor<f32, [3]>, found 2", e.Detail);
        var e2 = Fails(Header + "  %c = const 1.5 : int\n  return %x\n}");
        Assert.Equal((3, 14), (e2.Line, e2.Column));
        Assert.Equal("expected an integer for a constant of type int, found number 1.5", e2.Detail);
    }

    [Fact]
    public void Int64LiteralsMustBeExactlyRepresentable()
    {
        var e = Fails(Header + "  %c = const [9007199254740993] : tensor<i64, [1]>\n  return %x\n}");
        Assert.Equal((3, 15), (e.Line, e.Column));
        Assert.Equal("expected an integer of magnitude at most 2^53, found 9007199254740993", e.Detail);
        var e2 = Fails(Header + "  %c = const 3000000000 : int\n  return %x\n}");
        Assert.Equal("expected a 32-bit integer, found 3000000000", e2.Detail);
    }

    [Fact]
    public void UnexpectedCharacterAndTrailingText()
    {
        var e = Fails(Header + "  %y = relu(%x) $\n}");
        Assert.Equal((3, 17), (e.Line, e.Column));
        Assert.Equal("expected a token, found unexpected character '$'", e.Detail);
        var e2 = Fails(Header + "  return %x\n}\nextra");
        Assert.Equal((5, 1), (e2.Line, e2.Column));
        Assert.Equal("expected end of input after the program, found 'extra'", e2.Detail);
    }

    [Fact]
    public void CommentsAreIgnored()
    {
        var p = IRParser.Parse("// a comment\n" + Header + "  %y = relu(%x) // trailing\n  return %y\n}");
        Assert.Equal("relu", p.Entry.Nodes.Single().Op);
    }
}
