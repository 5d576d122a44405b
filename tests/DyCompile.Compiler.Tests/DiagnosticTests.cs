using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary>Every construct outside the subset yields its DYC diagnostic at the right place;
/// non-strict mode turns a side-effect statement into a host call that really runs.</summary>
public class DiagnosticTests
{
    private const string Header = ModelHarness.Usings + "using System.Linq;\n" + """
        [DyCompile]
        public sealed class M : Module
        {
            private readonly ModuleList<Linear> _layers;
            private readonly ModuleList<Shaper> _mixed = new([new Shaper(false), new Shaper(true)]);
            private int _calls;
            private float _scale = 2f;
            public int Calls => _calls;
            public M(Random g) { _layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 4, generator: g)])); }
            public sealed class Shaper : Module
            {
                private readonly bool _total;
                public Shaper(bool total) => _total = total;
                public Tensor Forward(Tensor x) => _total ? x.Sum() : x;
            }
            public Tensor Forward(Tensor x, float t)
            {

        """;

    private const string Footer = """

            }
        }
        """;

    private static string Source(string body, string members = "") => Header + body + Footer.Replace("\n    }\n}", "\n    }\n" + members + "\n}", StringComparison.Ordinal);

    private static readonly object[] Inputs = [ModelHarness.Random(1, 2, 4), 0.5f];

    private static LoweringResult Lower(string source, bool strict = false, object? model = null) =>
        ModelLowering.Lower(source, "M", "Forward", model, new LoweringOptions { Strict = strict, InputTypes = ModelLowering.TypesOf(Inputs) });

    /// <summary>1-based line and column of the last occurrence of <paramref name="marker"/>.</summary>
    private static (int Line, int Column) Where(string source, string marker)
    {
        var index = source.LastIndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0, $"marker '{marker}' not in source");
        var line = source[..index].Count(c => c == '\n') + 1;
        var column = index - (source.LastIndexOf('\n', index - 1) + 1) + 1;
        return (line, column);
    }

    [Theory]
    [InlineData(DiagnosticIds.Exceptions, "if (t > 0f) throw new InvalidOperationException(\"no\");\nreturn x;", "throw new")]
    [InlineData(DiagnosticIds.Exceptions, "try { x = x.Relu(); } catch (Exception) { }\nreturn x;", "try")]
    [InlineData(DiagnosticIds.Goto, "goto done;\ndone: return x;", "goto")]
    [InlineData(DiagnosticIds.Lambda, "Func<Tensor, Tensor> f = a => a.Relu();\nreturn f(x);", "a => a.Relu()")]
    [InlineData(DiagnosticIds.Linq, "var q = from i in new[] { 1, 2 } select i;\nreturn x;", "from i")]
    [InlineData(DiagnosticIds.Linq, "var n = System.Linq.Enumerable.Sum(new[] { 1, 2 });\nreturn x;", "System.Linq.Enumerable.Sum(")]
    [InlineData(DiagnosticIds.Unsafe, "unsafe { int* p = null; }\nreturn x;", "unsafe")]
    [InlineData(DiagnosticIds.RefOrOut, "Get(out var v);\nreturn x * v;", "out var v")]
    [InlineData(DiagnosticIds.Recursion, "if (t > 0f) return Forward(x, t - 1f);\nreturn x;", "Forward(x, t - 1f)")]
    [InlineData(DiagnosticIds.UnknownMethod, "var s = x.ToString();\nreturn x;", "x.ToString()")]
    [InlineData(DiagnosticIds.MutableFieldRead, "return x * _scale;", "_scale;")]
    [InlineData(DiagnosticIds.DynamicModuleIndex, "var i = (int)t;\nreturn x * _layers[i].Weight.Sum();", "_layers[i].Weight")]
    [InlineData(DiagnosticIds.DynamicModuleIndex, "var i = (int)t;\nvar layer = _layers[i];\nif (t > 0f) x = x.Relu();\nreturn layer.Forward(x);", "layer = _layers[i]")]
    [InlineData(DiagnosticIds.DispatchTypes, "var i = (int)t;\nreturn _mixed[i].Forward(x);", "_mixed[i].Forward(x)")]
    [InlineData(DiagnosticIds.UnknownParameterName, "return x * Get(\"nope\");", "Get(\"nope\")")]
    [InlineData(DiagnosticIds.NotCompileTimeConstant, "var s = x;\nfor (var i = 0; i < (int)t; i++) s = TensorOps.Concat([s, x], 0);\nreturn s.Reshape(s.Dim(0) * 4);", "s.Reshape(")]
    [InlineData(DiagnosticIds.TooManySpecializations, "for (var i = 0; i < (int)t + 3; i++) x = x.Unsqueeze(0);\nreturn x;", "x = x.Unsqueeze(0)")]
    [InlineData(DiagnosticIds.TooManySpecializations, "for (var i = 0; i < (int)t + 3; i++) x = x.Cast(DType.Int64);\nreturn x;", "x = x.Cast")]
    [InlineData(DiagnosticIds.NotCompileTimeConstant, "var d = (int)t;\nreturn x.Softmax(d);", "x.Softmax(d)")]
    [InlineData(DiagnosticIds.ShapeError, "return x.Reshape(3, 5);", "x.Reshape(3, 5)")]
    [InlineData(DiagnosticIds.InconsistentReturn, "if (t > 0f) return x;\nreturn x.Sum();", "x;\nreturn x.Sum")]
    [InlineData(DiagnosticIds.SourceErrors, "return x.Frobnicate();", "Frobnicate")]
    [InlineData(DiagnosticIds.FieldMutation, "_layers[0].Forward(x);\nvar y = _calls = 2;\nreturn x;", "_calls = 2")]
    public void UnsupportedConstructIsReportedWhereItIs(string id, string body, string marker)
    {
        var source = Source(body, "    private static void Get(out float v) { v = 1f; }");
        var models = id == DiagnosticIds.SourceErrors ? null : ModelHarness.Compile(source);
        var result = Lower(source, strict: true, models?.Create("M", 1));
        Assert.False(result.Succeeded);
        var (line, column) = Where(source, marker);
        var d = Assert.Single(result.Errors, e => e.Id == id && (e.Line, e.Column) == (line, column));
        Assert.Equal("model.cs", d.File);
        Assert.False(string.IsNullOrWhiteSpace(d.Message));
    }

    [Fact]
    public void FindingTheModel()
    {
        var source = Source("return x;");
        Assert.Equal(DiagnosticIds.ModelTypeNotFound, Assert.Single(ModelLowering.Lower(source, "Nope", "Forward", null).Errors).Id);
        Assert.Equal(DiagnosticIds.MethodNotFound, Assert.Single(ModelLowering.Lower(source, "M", "Backward", null).Errors).Id);
        Assert.Equal(DiagnosticIds.InputTypesMissing, Assert.Single(ModelLowering.Lower(source, "M", "Forward", null).Errors).Id);
        var plain = ModelHarness.Usings + "public sealed class P { public Tensor Forward(Tensor x) => x; }";
        Assert.Equal(DiagnosticIds.NotAModel, Assert.Single(ModelLowering.Lower(plain, "P", "Forward", null).Errors).Id);
        var unmarked = ModelHarness.Usings + "public sealed class U : Module { public Tensor Forward(Tensor x) => x.Relu(); }";
        var result = ModelLowering.Lower(unmarked, "U", "Forward", null, new LoweringOptions { InputTypes = [IRType.F32(2)] });
        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(DiagnosticIds.NotAModel, warning.Id);
        Assert.Equal(Where(unmarked, "U : Module"), (warning.Line, warning.Column));
    }

    [Fact]
    public void DoubleArithmeticOnRunTimeValuesWarns()
    {
        var source = Source("double s = x.Sum().Item();\nif (s * 0.5 > t) return x.Relu();\nreturn x;");
        var result = Lower(source);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(DiagnosticIds.UnsupportedType, warning.Id);
        Assert.Equal(Where(source, "s * 0.5"), (warning.Line, warning.Column));
    }

    [Fact]
    public void MissingModelInstanceIsADiagnostic()
    {
        var source = Source("return _layers[0].Forward(x);");
        var result = Lower(source, strict: true, model: null);
        var error = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticIds.UnsupportedExpression, error.Id);
        Assert.Equal(Where(source, "_layers[0]").Line, error.Line);
    }

    [Fact]
    public void NonStrictModeRunsSideEffectStatementsEagerly()
    {
        var body = "Console.Write(\"\");\n_calls++;\nif (x.Sum().Item() > t) _calls += 10;\nreturn x.Relu();";
        var source = Source(body);
        var models = ModelHarness.Compile(source);
        var model = models.Create("M", 1);

        var strict = Lower(source, strict: true, model);
        Assert.Contains(strict.Errors, e => e.Id == DiagnosticIds.InputOutput);

        var lowered = Lower(source, strict: false, model);
        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));
        var warnings = lowered.Warnings.Where(w => w.Id == DiagnosticIds.HostFallback).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.Equal(Where(source, "_calls++").Line, warnings[1].Line);
        Assert.Equal(3, lowered.Program!.Blocks.SelectMany(b => b.Nodes).Count(n => n.Op == "host.call"));

        var calls = () => (int)model.GetType().GetProperty("Calls")!.GetValue(model)!;
        var x = Tensor.Full(1f, 2, 4);
        var run = ModelHarness.RunLowered(lowered, [x, 0f]);
        Assert.Equal(11, calls());
        ModelHarness.RunLowered(lowered, [x, 100f]);
        Assert.Equal(12, calls());
        ModelHarness.AssertSameValues([x.Relu()], run.Outputs);
        Assert.Empty(Verifier.Errors(lowered.Program));
    }

    [Fact]
    public void EveryIdIsDocumented()
    {
        var docs = File.ReadAllText(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", "docs", "diagnostics.md"));
        foreach (var field in typeof(DiagnosticIds).GetFields())
            Assert.Contains("## " + (string)field.GetValue(null)!, docs);
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
