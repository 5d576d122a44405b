namespace DyCompile.Compiler.Tests;

/// <summary>Messages that state the fix, at the statement to change: LINQ with a lambda says to
/// write a foreach (not a helper, which would hold the same lambda), goto is reported at the goto,
/// and a foreach over an array of constants compiles.</summary>
public class ClearFixTests
{
    private const string Header = ModelHarness.Usings + "using System.Linq;\n" + """
        [DyCompile]
        public sealed class M : Module
        {
            private readonly ModuleList<Linear> _layers;
            public M(Random g) { _layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g)])); }
            public Tensor Forward(Tensor x, float t)
            {

        """;

    private static string Source(string body) => Header + body + "\n    }\n}\n";

    private static (int Line, int Column) Where(string source, string marker)
    {
        var index = source.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0);
        return (source[..index].Count(c => c == '\n') + 1, index - (source.LastIndexOf('\n', index - 1) + 1) + 1);
    }

    private static LoweringResult Lower(string source) =>
        ModelLowering.Lower(source, "M", "Forward", ModelHarness.Compile(source).Create("M", 1),
            new LoweringOptions { InputTypes = [DyCompile.IR.IRType.F32(1, 4), DyCompile.IR.IRType.Float] });

    [Theory]
    [InlineData("return _layers.Aggregate(x, (h, l) => l.Forward(h));", "Aggregate(")]
    [InlineData("return Stack(x);", "Aggregate(")]
    [InlineData("var best = _layers.Select(l => l.Forward(x).Sum().Item()).Max();\nreturn x * best;", "Select(")]
    public void LinqWithALambdaSaysWriteAForeach(string body, string marker)
    {
        var source = Source(body).Replace("\n}\n", "\n    private Tensor Stack(Tensor x) => _layers.Aggregate(x, (h, l) => l.Forward(h).Relu());\n}\n", StringComparison.Ordinal);
        var error = Assert.Single(Lower(source).Errors);
        Assert.Equal(DiagnosticIds.Linq, error.Id);
        Assert.Equal(Where(source, marker), (error.Line, error.Column));
        Assert.Contains("foreach", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GotoIsReportedAtTheGotoNotAtItsLabel()
    {
        var source = Source("top:\nx = x.Relu() - 0.1f;\nif (x.Sum().Item() > t) goto top;\nreturn x;");
        var error = Assert.Single(Lower(source).Errors);
        Assert.Equal(DiagnosticIds.Goto, error.Id);
        Assert.Equal(Where(source, "goto top"), (error.Line, error.Column));
    }

    [Fact]
    public void AForeachOverAnArrayOfConstantsUnrolls()
    {
        var source = Source("foreach (var v in new[] { 0.5f, -1f, 2f })\n    if (x.Sum().Item() > t * v) x = _layers[0].Forward(x).Tanh() * v;\nforeach (var k in new[] { 1, 0 }) x = _layers[k].Forward(x);\nreturn x;");
        var models = ModelHarness.Compile(source);
        var model = models.Create("M", 2);
        var sets = Enumerable.Range(0, 6).Select(s => new object[] { ModelHarness.Random(s, 1, 4), s * 0.5f - 1.5f }).ToList();
        var (_, paths) = ThreeWay.Check(models, "M", "Forward", model, sets);
        Assert.True(paths > 1, "the inputs took the same path");
    }

    [Fact]
    public void AForeachOverAnArrayOfRunTimeTensorsSaysIndexIt()
    {
        var source = Source("var sum = x;\nforeach (var v in new[] { x, x.Relu() }) sum = sum + v;\nreturn sum;");
        var error = Assert.Single(Lower(source).Errors);
        Assert.Equal(DiagnosticIds.UnsupportedStatement, error.Id);
        Assert.Contains("items[i]", error.Message, StringComparison.Ordinal);
    }
}
