using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

/// <summary>One malformed program per verifier rule, each with the message it must produce.</summary>
public class VerifierTests
{
    private static readonly TensorType T = IRType.F32(2, 3);

    private const string Sig = "program @p(%x: tensor<f32, [2, 3]>, %n: int) -> (tensor<f32, [2, 3]>) {\n";
    private const string Entry = "^entry(%x: tensor<f32, [2, 3]>, %n: int):\n";

    private static VerifierDiagnostic Single(IRProgram p, VerifyErrorKind kind)
    {
        var found = Verifier.Verify(p);
        var match = Assert.Single(found, d => d.Kind == kind);
        return match;
    }

    private static VerifierDiagnostic Single(string text, VerifyErrorKind kind) => Single(IRParser.Parse(text), kind);

    [Fact]
    public void WellFormedProgramHasNoFindings() =>
        Assert.Empty(Verifier.Verify(IRParser.Parse(TextRoundTripTests.EarlyExit)));

    [Fact]
    public void UseBeforeDefinition()
    {
        var d = Single(Sig + Entry + "  %b = relu(%a) : tensor<f32, [2, 3]>\n  %a = exp(%x) : tensor<f32, [2, 3]>\n  return %b\n}", VerifyErrorKind.UseBeforeDefinition);
        Assert.Equal("^entry: '%b = relu(%a) : tensor<f32, [2, 3]>': %a is used before its definition", d.Message);
        Assert.Equal("entry", d.Block);
    }

    [Fact]
    public void CrossBlockUse()
    {
        var d = Single(Sig + Entry + "  %a = exp(%x)\n  jump ^next\n^next:\n  return %a\n}", VerifyErrorKind.CrossBlockUse);
        Assert.Equal("^next: 'return %a': %a is defined in ^entry; pass it as a block argument instead", d.Message);
    }

    [Fact]
    public void DuplicateDefinition()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", T);
        pb.Entry.Raw("relu", [x], null, [T], ["y"]);
        var y2 = pb.Entry.Raw("exp", [x], null, [T], ["y"])[0];
        pb.Entry.Return(y2);
        var d = Single(pb.Build(), VerifyErrorKind.DuplicateDefinition);
        Assert.Equal("^entry: %y is defined more than once (also in ^entry)", d.Message);
    }

    [Fact]
    public void UndefinedValue()
    {
        var stray = new Value("ghost", T, ValueKind.Result);
        var pb = new ProgramBuilder("p");
        pb.Input("x", T);
        pb.Entry.Return(stray);
        var d = Single(pb.Build(), VerifyErrorKind.UndefinedValue);
        Assert.Equal("^entry: 'return %ghost': %ghost is not defined in this program", d.Message);
    }

    [Fact]
    public void UndeclaredWeight()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", T);
        var w = new Value("w", T, ValueKind.Weight);
        pb.Entry.Return(pb.Entry.Add(x, w));
        var d = Single(pb.Build(), VerifyErrorKind.UndeclaredWeight);
        Assert.Equal("^entry: '%0 = add(%x, @w) : tensor<f32, [2, 3]>': weight @w : tensor<f32, [2, 3]> is not declared by the program", d.Message);
    }

    [Fact]
    public void WeightsAreStaticTensors()
    {
        var p = IRParser.Parse("program @p() -> () {\n  weight @k : int\n  weight @t : tensor<f32, [?, 2]>\n^entry:\n  return\n}");
        Assert.Equal(
            ["weight @k is int; a weight must be a tensor of static shape", "weight @t is tensor<f32, [?, 2]>; a weight must be a tensor of static shape"],
            Verifier.Verify(p).Where(d => d.Kind == VerifyErrorKind.WeightType).Select(d => d.Message));
    }

    [Fact]
    public void UnknownOp()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", T);
        pb.Entry.Return(pb.Entry.Raw("frobnicate", [x], null, [T], ["y"])[0]);
        var d = Single(pb.Build(), VerifyErrorKind.UnknownOp);
        Assert.Equal("^entry: '%y = frobnicate(%x) : tensor<f32, [2, 3]>': unknown op 'frobnicate'", d.Message);
    }

    [Fact]
    public void OperandCount()
    {
        var d = Single(Sig + Entry + "  %y = add(%x) : tensor<f32, [2, 3]>\n  return %y\n}", VerifyErrorKind.OperandCount);
        Assert.Equal("^entry: '%y = add(%x) : tensor<f32, [2, 3]>': add: expects 2 operand(s) (a, b), got 1", d.Message);
    }

    [Fact]
    public void MissingAttribute()
    {
        var d = Single(Sig + Entry + "  %y = softmax(%x) : tensor<f32, [2, 3]>\n  return %y\n}", VerifyErrorKind.MissingAttribute);
        Assert.Equal("^entry: '%y = softmax(%x) : tensor<f32, [2, 3]>': softmax requires attribute 'dim' (int)", d.Message);
    }

    [Fact]
    public void UnknownAttribute()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", T);
        pb.Entry.Return(pb.Entry.Raw("relu", [x], new Attrs { { "alpha", 0.5f } }, [T], ["y"])[0]);
        var d = Single(pb.Build(), VerifyErrorKind.UnknownAttribute);
        Assert.Equal("^entry: '%y = relu(%x) {alpha = 0.5} : tensor<f32, [2, 3]>': relu has no attribute 'alpha'", d.Message);
    }

    [Fact]
    public void AttributeKind()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", T);
        pb.Entry.Return(pb.Entry.Raw("softmax", [x], new Attrs { { "dim", 1.0f } }, [T], ["y"])[0]);
        var d = Single(pb.Build(), VerifyErrorKind.AttributeKind);
        Assert.Equal("^entry: '%y = softmax(%x) {dim = 1.0} : tensor<f32, [2, 3]>': attribute 'dim' of softmax must be int, got float 1.0", d.Message);
    }

    [Fact]
    public void OperandTypesRejectedByTheShapeRule()
    {
        var d = Single(Sig + Entry + "  %y = add(%x, %n) : tensor<f32, [2, 3]>\n  return %y\n}", VerifyErrorKind.OperandTypes);
        Assert.Equal("^entry: '%y = add(%x, %n) : tensor<f32, [2, 3]>': add: operand 'b' must be a tensor, got int (operands: tensor<f32, [2, 3]>, int)", d.Message);
    }

    [Fact]
    public void ResultTypeDeclaredDiffersFromInferred()
    {
        var d = Single(Sig + Entry + "  %s = sum(%x) {dims = [1], keepdim = true} : tensor<f32, [2]>\n  return %x\n}", VerifyErrorKind.ResultType);
        Assert.Equal("^entry: '%s = sum(%x) {dims = [1], keepdim = true} : tensor<f32, [2]>': %s is declared tensor<f32, [2]> but sum produces tensor<f32, [2, 1]>", d.Message);
    }

    [Fact]
    public void ResultCount()
    {
        var d = Single(Sig + Entry + "  %v = topk(%x) {k = 1, dim = 1, largest = true} : tensor<f32, [2, 1]>\n  return %x\n}", VerifyErrorKind.ResultCount);
        Assert.Equal("^entry: '%v = topk(%x) {k = 1, dim = 1, largest = true} : tensor<f32, [2, 1]>': topk produces 2 result(s), the node names 1", d.Message);
    }

    [Fact]
    public void ConstPayloadMustFitItsType()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", T);
        pb.Entry.Raw("const", [], null, [IRType.Int], ["c"], ConstPayload.Of(2.5));
        pb.Entry.Return(x);
        var d = Single(pb.Build(), VerifyErrorKind.ConstPayload);
        Assert.Equal("^entry: '%c = const 2 : int': literal elements do not fit int", d.Message);
    }

    [Fact]
    public void MissingTerminator()
    {
        var d = Single(Sig + Entry + "  %y = relu(%x)\n}", VerifyErrorKind.MissingTerminator);
        Assert.Equal("^entry: block has no terminator (jump, branch or return)", d.Message);
    }

    [Fact]
    public void MisplacedTerminator()
    {
        var d = Single(Sig + Entry + "  return %x\n  %y = relu(%x)\n  return %y\n}", VerifyErrorKind.MisplacedTerminator);
        Assert.Equal("^entry: 'return %x' is followed by 2 more instruction(s); a terminator must be last and only one", d.Message);
    }

    [Fact]
    public void BranchConditionMustBeHostBool()
    {
        var d = Single(Sig + Entry + "  branch %n, ^a, ^a\n^a:\n  return %x\n}", VerifyErrorKind.BranchCondition);
        Assert.Equal("^entry: 'branch %n, ^a, ^a': the condition %n is int, a branch needs a host bool", d.Message);
        var d2 = Single(Sig + Entry + "  %c = gt(%x, %x)\n  branch %c, ^a, ^a\n^a:\n  return %x\n}", VerifyErrorKind.BranchCondition);
        Assert.Contains("the condition %c is tensor<bool, [2, 3]>", d2.Message);
    }

    [Fact]
    public void UnknownBlock()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", T);
        pb.Entry.Append(new Jump(BlockTarget.To("missing", x)));
        var d = Single(pb.Build(), VerifyErrorKind.UnknownBlock);
        Assert.Equal("^entry: 'jump ^missing(%x)': no block ^missing", d.Message);
    }

    [Fact]
    public void ArgumentCount()
    {
        var d = Single(Sig + Entry + "  jump ^a(%x, %n)\n^a(%h: tensor<f32, [2, 3]>):\n  return %h\n}", VerifyErrorKind.ArgumentCount);
        Assert.Equal("^entry: 'jump ^a(%x, %n)': ^a takes 1 argument(s), 2 given", d.Message);
    }

    [Fact]
    public void ArgumentType()
    {
        var d = Single(Sig + Entry + "  jump ^a(%n)\n^a(%h: tensor<f32, [2, 3]>):\n  return %h\n}", VerifyErrorKind.ArgumentType);
        Assert.Equal("^entry: 'jump ^a(%n)': argument 0 (%n: int) does not match parameter %h: tensor<f32, [2, 3]> of ^a", d.Message);
    }

    [Fact]
    public void StaticArgumentFlowsIntoADynamicDimension()
    {
        // A loop head whose carried sequence grows: [1, 0] on entry, [1, ?] around the back edge.
        const string text = "program @grow(%n: int) -> (tensor<i64, [1, ?]>) {\n^entry(%n: int):\n"
            + "  %empty = const [] : tensor<i64, [1, 0]>\n  %one = const [7] : tensor<i64, [1, 1]>\n  jump ^head(%empty, %one)\n"
            + "^head(%s: tensor<i64, [1, ?]>, %t: tensor<i64, [1, 1]>):\n  %s2 = concat(%s, %t) {dim = 1} : tensor<i64, [1, ?]>\n  return %s2\n}";
        Assert.Empty(Verifier.Verify(IRParser.Parse(text)));
    }

    [Theory]
    [InlineData("tensor<f32, [1, 3]>", "tensor<f32, [1, ?]>", true)]
    [InlineData("tensor<f32, [1, 3]>", "tensor<f32, [?, ?]>", true)]
    [InlineData("tensor<f32, [1, 3]>", "tensor<f32, [1, 3]>", true)]
    [InlineData("tensor<f32, [1, 3]>", "tensor<f32, [1, 4]>", false)]
    [InlineData("tensor<f32, [1, ?]>", "tensor<f32, [1, 3]>", false)]
    [InlineData("tensor<i64, [1, 3]>", "tensor<f32, [1, ?]>", false)]
    [InlineData("tensor<f32, [3]>", "tensor<f32, [1, ?]>", false)]
    public void ArgumentIntoDynamicParameter(string argument, string parameter, bool accepted)
    {
        var text = $"program @p(%x: {argument}) -> ({parameter}) {{\n^entry(%x: {argument}):\n  jump ^a(%x)\n^a(%h: {parameter}):\n  return %h\n}}";
        var found = Verifier.Verify(IRParser.Parse(text));
        if (accepted) Assert.Empty(found);
        else
        {
            var d = Assert.Single(found);
            Assert.Equal(VerifyErrorKind.ArgumentType, d.Kind);
            Assert.Equal($"^entry: 'jump ^a(%x)': argument 0 (%x: {argument}) does not match parameter %h: {parameter} of ^a", d.Message);
        }
    }

    [Fact]
    public void StaticResultIntoADynamicProgramResult()
    {
        const string text = "program @p(%x: tensor<f32, [2, 3]>) -> (tensor<f32, [?, 3]>) {\n^entry(%x: tensor<f32, [2, 3]>):\n  return %x\n}";
        Assert.Empty(Verifier.Verify(IRParser.Parse(text)));
        const string wrong = "program @p(%x: tensor<f32, [2, 3]>) -> (tensor<f32, [?, 4]>) {\n^entry(%x: tensor<f32, [2, 3]>):\n  return %x\n}";
        Assert.Equal(VerifyErrorKind.ReturnType, Assert.Single(Verifier.Verify(IRParser.Parse(wrong))).Kind);
    }

    [Fact]
    public void EntryParametersMustMatchInputs()
    {
        var d = Single(Sig + "^entry(%x: tensor<f32, [2, 3]>, %n: float):\n  return %x\n}", VerifyErrorKind.EntryParameters);
        Assert.Equal("^entry: entry parameters (%x: tensor<f32, [2, 3]>, %n: float) do not match the program inputs (%x: tensor<f32, [2, 3]>, %n: int)", d.Message);
    }

    [Fact]
    public void EntryCannotBeATarget()
    {
        var d = Single(Sig + Entry + "  jump ^entry(%x, %n)\n}", VerifyErrorKind.EntryTargeted);
        Assert.Equal("^entry: 'jump ^entry(%x, %n)': the entry block ^entry cannot be a branch target", d.Message);
    }

    [Fact]
    public void ReturnArity()
    {
        var d = Single(Sig + Entry + "  return %x, %n\n}", VerifyErrorKind.ReturnArity);
        Assert.Equal("^entry: 'return %x, %n': returns 2 value(s), the program returns 1", d.Message);
    }

    [Fact]
    public void ReturnType()
    {
        var d = Single(Sig + Entry + "  %c = cast(%x) {dtype = i32}\n  return %c\n}", VerifyErrorKind.ReturnType);
        Assert.Equal("^entry: 'return %c': result 0 (%c) is tensor<i32, [2, 3]>, the program returns tensor<f32, [2, 3]>", d.Message);
    }

    [Fact]
    public void UnreachableBlockIsAWarning()
    {
        var p = IRParser.Parse(Sig + Entry + "  return %x\n^island(%z: tensor<f32, [2, 3]>):\n  return %z\n}");
        var d = Single(p, VerifyErrorKind.UnreachableBlock);
        Assert.Equal(Severity.Warning, d.Severity);
        Assert.Equal("^island: block is unreachable from the entry", d.Message);
        Assert.Empty(Verifier.Errors(p));
    }

    [Fact]
    public void DuplicateBlockAndNoBlocks()
    {
        var empty = new IRProgram("e", [], [], [], []);
        Assert.Equal("program @e has no blocks", Single(empty, VerifyErrorKind.NoBlocks).Message);
        var ret = new Return([]);
        var twice = new IRProgram("d", [], [], [], [new Block("a", [], [ret]), new Block("a", [], [ret])]);
        Assert.Equal("^a: block ^a is defined twice", Single(twice, VerifyErrorKind.DuplicateBlock).Message);
    }

    [Fact]
    public void ReportsEveryProblemAndDoesNotThrow()
    {
        var found = Verifier.Verify(IRParser.Parse(Sig + Entry + "  %y = softmax(%x) : tensor<f32, [2, 3]>\n  branch %n, ^a(%x), ^a\n^a(%h: tensor<f32, [2, 3]>):\n  %q = relu(%h) : tensor<i32, [2, 3]>\n}"));
        Assert.Equal(
            [VerifyErrorKind.MissingAttribute, VerifyErrorKind.BranchCondition, VerifyErrorKind.ArgumentCount, VerifyErrorKind.MissingTerminator, VerifyErrorKind.ResultType],
            found.Select(d => d.Kind));
    }

    [Fact]
    public void GraphsVerifyAsOneBlockPrograms()
    {
        var gb = new GraphBuilder("g");
        var x = gb.Input("x", T);
        var w = gb.Weight("w", IRType.F32(3, 3));
        var g = gb.Build(gb.Relu(gb.MatMul(x, w)));
        Assert.Empty(Verifier.Verify(g));
        Assert.Equal(new OpCost(2 * 3 * 6 + 6, (6 + 9 + 6) * 4 + (6 + 6) * 4), g.Cost());
        Assert.Equal([DType.Float32], g.Outputs.Select(o => ((TensorType)o.Type).DType));
    }
}
