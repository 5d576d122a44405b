namespace DyCompile.IR.Tests;

/// <summary>Numbers in the text form: ASCII digits only, literals beyond a type's range, and
/// sizes whose sums overflow 32 bits. Each bad input is an <see cref="IRParseException"/> at the
/// offending token (or a verifier error), never another exception.</summary>
public class NumberLiteralTests
{
    private const string Header = "program @p(%x: tensor<f32, [4]>) -> (tensor<f32, [4]>) {\n^entry(%x: tensor<f32, [4]>):\n";

    private static IRParseException Fails(string text) => Assert.Throws<IRParseException>(() => IRParser.Parse(text));

    [Theory]
    [InlineData("  %c = const 1.\u0663 : float", 16, "'\u0663' (U+0663)")]
    [InlineData("  %c = const \uFF11.0 : float", 14, "'\uFF11' (U+FF11)")]
    [InlineData("  %c = const 2\u0966 : int", 15, "'\u0966' (U+0966)")]
    [InlineData("  %c = const [1, \U0001D7D9] : tensor<f32, [2]>", 18, "'\U0001D7D9' (U+1D7D9)")]
    [InlineData("  %y = softmax(%x) {dim = \u0660} : tensor<f32, [4]>", 27, "'\u0660' (U+0660)")]
    public void NonAsciiDigitsAreParseErrorsAtTheDigit(string statement, int column, string named)
    {
        var e = Fails(Header + statement + "\n  return %x\n}");
        Assert.Equal((3, column), (e.Line, e.Column));
        Assert.Equal($"expected an ASCII digit 0-9 in a number, found the non-ASCII digit {named}", e.Detail);
    }

    [Fact]
    public void NonAsciiDigitInATypeIsAParseError()
    {
        var e = Fails("program @p(%x: tensor<f32, [\uFF12]>) -> () {\n}");
        Assert.Equal((1, 29), (e.Line, e.Column));
        Assert.Contains("non-ASCII digit", e.Detail);
    }

    [Fact]
    public void AnIntegerLiteralBeyond64BitsIsAFloatRoundedToF32()
    {
        var p = IRParser.Parse(Header + "  %c = const 99999999999999999999 : float\n  %t = const [1, -99999999999999999999] : tensor<f32, [2]>\n  return %x\n}");
        var nodes = p.Entry.Nodes.ToList();
        Assert.Equal(new[] { (double)1e20f }, nodes[0].Payload!.Values.ToArray());
        Assert.Equal(new[] { 1.0, (double)-1e20f }, nodes[1].Payload!.Values.ToArray());
        Assert.Empty(Verifier.Errors(p));
    }

    [Theory]
    [InlineData("  %c = const 1e39 : float", 14, "1e39")]
    [InlineData("  %c = const -99999999999999999999999999999999999999999 : float", 14, "-99999999999999999999999999999999999999999")]
    [InlineData("  %y = clamp(%x) {min = -1e999, max = 1.0} : tensor<f32, [4]>", 25, "-1e999")]
    public void AFiniteLiteralBeyondTheF32RangeIsAParseError(string statement, int column, string literal)
    {
        var e = Fails(Header + statement + "\n  return %x\n}");
        Assert.Equal((3, column), (e.Line, e.Column));
        Assert.StartsWith($"the number {literal} is beyond the f32 range", e.Detail);
    }

    [Fact]
    public void IntegerLiteralsBeyondTheirTypeAreParseErrors()
    {
        Assert.Equal("expected a 32-bit integer, found 99999999999999999999",
            Fails(Header + "  %c = const 99999999999999999999 : int\n  return %x\n}").Detail);
        Assert.Equal("expected an integer of magnitude at most 2^53, found 99999999999999999999",
            Fails(Header + "  %c = const [99999999999999999999] : tensor<i64, [1]>\n  return %x\n}").Detail);
        Assert.Equal("expected a 32-bit integer, found 2147483648",
            Fails(Header + "  %y = softmax(%x) {dim = 2147483648}\n  return %x\n}").Detail);
    }

    [Fact]
    public void SplitSizesWhoseSumOverflowsAreATypeError()
    {
        var e = Fails(Header + "  %a, %b = split(%x) {sizes = [2, 2147483647], dim = 0}\n  return %x\n}");
        Assert.Equal((3, 12), (e.Line, e.Column));
        Assert.StartsWith("split: sizes [2, 2147483647] do not add up to dim 0", e.Detail);

        // Sizes that wrap to the dimension in 32 bits do not add up to it either.
        var wrapping = Fails(Header + "  %a, %b, %c = split(%x) {sizes = [2147483647, 2147483647, 6], dim = 0}\n  return %x\n}");
        Assert.Contains("do not add up", wrapping.Detail);
    }

    [Fact]
    public void DeclaredSplitTypesWithOverflowingSizesAreAVerifierError()
    {
        var p = IRParser.Parse(Header + "  %a, %b = split(%x) {sizes = [2, 2147483647], dim = 0} : tensor<f32, [2]>, tensor<f32, [2147483647]>\n  return %x\n}");
        var error = Assert.Single(Verifier.Errors(p));
        Assert.Equal(VerifyErrorKind.OperandTypes, error.Kind);
        Assert.Contains("do not add up", error.Message);
    }

    [Fact]
    public void ConcatBeyond32BitSizesIsATypeError()
    {
        var e = Fails("program @p(%x: tensor<f32, [2000000000]>) -> () {\n^entry(%x: tensor<f32, [2000000000]>):\n  %y = concat(%x, %x) {dim = 0}\n  return\n}");
        Assert.Equal((3, 8), (e.Line, e.Column));
        Assert.Contains("dim 0 of the result would be 4000000000, beyond 2147483647", e.Detail);
    }

    [Fact]
    public void AnInferredReshapeSizeBeyond32BitsIsATypeError()
    {
        var e = Fails("program @p(%x: tensor<f32, [65536, 65536]>) -> () {\n^entry(%x: tensor<f32, [65536, 65536]>):\n  %y = reshape(%x) {shape = [-1]}\n  return\n}");
        Assert.Contains("the -1 dimension would be 4294967296, beyond 2147483647", e.Detail);
    }
}
