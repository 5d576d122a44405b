using DyCompile.Runtime;
using FsCheck.Xunit;

namespace DyCompile.IR.Tests;

public class TextRoundTripTests
{
    internal const string EarlyExit = """
        program @early_exit(%x: tensor<f32, [1, 8]>, %limit: int) -> (tensor<f32, [1, 8]>, int) {
          weight @w1 : tensor<f32, [8, 8]>
        ^entry(%x: tensor<f32, [1, 8]>, %limit: int):
          %i0 = const 0 : int
          jump ^loop(%x, %i0, %limit)
        ^loop(%h: tensor<f32, [1, 8]>, %i: int, %lim: int):
          %a = matmul(%h, @w1)
          %b = relu(%a)
          %m = max(%b) {dims = [], keepdim = false}
          %mf = item(%m)
          %forty = const 4.0e1 : float
          %big = host.gt(%mf, %forty)
          %one = const 1 : int
          %i2 = host.add(%i, %one)
          %more = host.lt(%i2, %lim)
          %nb = host.not(%big)
          %go = host.and(%more, %nb)
          branch %go, ^loop(%b, %i2, %lim), ^exit(%b, %i2)
        ^exit(%y: tensor<f32, [1, 8]>, %n: int):
          return %y, %n
        }
        """;

    [Fact]
    public void ParsesInfersTypesAndPrintsCanonically()
    {
        var p = IRParser.Parse(EarlyExit);
        Assert.Empty(Verifier.Verify(p));
        var printed = IRPrinter.Print(p);
        Assert.Contains("  %a = matmul(%h, @w1) : tensor<f32, [1, 8]>\n", printed);
        Assert.Contains("  %m = max(%b) {dims = [], keepdim = false} : tensor<f32, []>\n", printed);
        Assert.Contains("  %forty = const 40.0 : float\n", printed);
        Assert.Contains("  %big = host.gt(%mf, %forty) : bool\n", printed);
        Assert.Contains("  branch %go, ^loop(%b, %i2, %lim), ^exit(%b, %i2)\n", printed);
        Assert.Equal(printed, IRPrinter.Print(IRParser.Parse(printed)));
    }

    [Fact]
    public void FloatsAttributesAndLiteralsRoundTripExactly()
    {
        const string text = """
            program @lits() -> (tensor<f32, [2, 2]>, float, tensor<i64, [3]>, tensor<bool, [2]>, tensor<f32, [?, 2]>) {
            ^entry:
              %t = const [1.0, -0.0, 1E-05, 0.33333334] : tensor<f32, [2, 2]>
              %c = clamp(%t) {min = -1.5, max = 3.4028235E+38} : tensor<f32, [2, 2]>
              %f = const nan : float
              %l = const [9007199254740992, -1, 0] : tensor<i64, [3]>
              %b = const [true, false] : tensor<bool, [2]>
              %r = reshape(%c) {shape = [-1, 2]} : tensor<f32, [?, 2]>
              %k = cast(%l) {dtype = i64} : tensor<i64, [3]>
              return %c, %f, %k, %b, %r
            }
            """;
        var p = IRParser.Parse(text);
        var printed = p.ToString();
        Assert.Contains("%t = const [1.0, -0.0, 1E-05, 0.33333334] : tensor<f32, [2, 2]>", printed);
        Assert.Contains("{min = -1.5, max = 3.4028235E+38}", printed);
        Assert.Contains("%f = const nan : float", printed);
        Assert.Contains("[9007199254740992, -1, 0]", printed);
        Assert.Contains("tensor<f32, [?, 2]>", printed);
        var again = IRParser.Parse(printed);
        Assert.Null(StructuralEquality.FirstDifference(p, again));
        Assert.Equal(printed, again.ToString());
    }

    [Fact]
    public void AttributeOrderInTextDoesNotMatterAndPrintsInCatalogOrder()
    {
        const string text = """
            program @order(%x: tensor<f32, [2, 3]>) -> (tensor<f32, [2]>) {
            ^entry(%x: tensor<f32, [2, 3]>):
              %s = sum(%x) {keepdim = false, dims = [1]}
              return %s
            }
            """;
        var p = IRParser.Parse(text);
        Assert.Contains("%s = sum(%x) {dims = [1], keepdim = false} : tensor<f32, [2]>", p.ToString());
        var node = p.Entry.Nodes.Single();
        Assert.Equal(new Attrs { { "dims", new[] { 1 } }, { "keepdim", false } }, node.Attrs);
    }

    [Fact]
    public void MultiResultNodesAndIntAttributesRoundTrip()
    {
        var pb = new ProgramBuilder("multi");
        var x = pb.Input("x", IRType.F32(2, 5));
        var top = pb.Entry.Ops("topk", [x], new Attrs { { "k", 3 }, { "dim", 1 }, { "largest", true } }, ["v", "i"]);
        var parts = pb.Entry.Ops("split", [x], new Attrs { { "sizes", new[] { 2, 3 } }, { "dim", -1 } });
        pb.Entry.Return(top[0], top[1], parts[1]);
        var p = pb.Build();
        Assert.True(p.ResultTypes.SequenceEqual([IRType.F32(2, 3), IRType.Tensor(DType.Int64, 2, 3), IRType.F32(2, 3)]));
        var printed = p.ToString();
        Assert.Contains("%v, %i = topk(%x) {k = 3, dim = 1, largest = true} : tensor<f32, [2, 3]>, tensor<i64, [2, 3]>", printed);
        Assert.Contains("%0, %1 = split(%x) {sizes = [2, 3], dim = -1} : tensor<f32, [2, 2]>, tensor<f32, [2, 3]>", printed);
        Assert.Null(StructuralEquality.FirstDifference(p, IRParser.Parse(printed)));
    }

    [Fact]
    public void StructuralEqualityNoticesADifferentAttribute()
    {
        var a = IRParser.Parse("program @p(%x: tensor<f32, [4]>) -> (tensor<f32, [4]>) {\n^entry(%x: tensor<f32, [4]>):\n  %y = softmax(%x) {dim = 0}\n  return %y\n}");
        var b = IRParser.Parse("program @p(%x: tensor<f32, [4]>) -> (tensor<f32, [4]>) {\n^entry(%x: tensor<f32, [4]>):\n  %y = softmax(%x) {dim = -1}\n  return %y\n}");
        Assert.Contains("instruction 0 differs", StructuralEquality.FirstDifference(a, b));
    }

    [Property(MaxTest = 150)]
    public void PrintParsePrintIsTheIdentityOnRandomPrograms(int seed, byte size)
    {
        var program = RandomPrograms.Generate(seed, size % 48);
        Assert.Empty(Verifier.Errors(program));
        var printed = IRPrinter.Print(program);
        var parsed = IRParser.Parse(printed);
        Assert.Null(StructuralEquality.FirstDifference(program, parsed));
        Assert.Equal(printed, IRPrinter.Print(parsed));
    }

    [Fact]
    public void RandomProgramsCoverLoopsBranchesAndEveryAttributeKind()
    {
        // Guards the generator itself: across seeds it must produce the shapes of program the
        // round-trip property is meant to exercise.
        var texts = Enumerable.Range(0, 60).Select(seed => RandomPrograms.Generate(seed, 40).ToString()).ToList();
        Assert.Contains(texts, t => t.Contains("branch "));
        Assert.Contains(texts, t => t.Contains("jump "));
        foreach (var fragment in new[] { "{dim = ", "{min = ", "keepdim = ", "dims = [", "dtype = i", "largest = ", "const [", "host.select" })
            Assert.Contains(texts, t => t.Contains(fragment));
    }
}
