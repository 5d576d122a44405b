using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary>Code a user writes either compiles (and computes what it does eagerly) or is refused
/// with a diagnostic that says what is wrong and how to fix it — not one that points elsewhere.</summary>
public class ClearDiagnosticsTests
{
    private static readonly Tensor Input = ModelHarness.Random(3, 2, 4);

    private static LoweringResult Lower(string source, object model, int blockLimit = 2000) =>
        ModelLowering.Lower(source, "M", "Forward", model, new LoweringOptions { InputTypes = [IRType.F32(2, 4)], BlockLimit = blockLimit });

    /// <summary>Lowers and runs both ways through the interpreter, and compiles and runs through
    /// the JIT: both must equal the eager result.</summary>
    private static void CompilesLikeEager(string source)
    {
        var models = ModelHarness.Compile(source);
        var model = models.Create("M", 1);
        ModelHarness.Check(models, "M", "Forward", model, Input);
        var compiled = DyCompiler.Compile(model, source, [IRType.F32(2, 4)]);
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        ModelHarness.AssertSameValues(ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", [Input])), compiled.Program!.Run([Input]).Outputs);
    }

    private static string Model(string body, string members = "") => ModelHarness.Usings + $$"""
        [DyCompile]
        public sealed class M : Module
        {
        {{members}}
            public Tensor Forward(Tensor x)
            {
        {{body}}
            }
        }
        """;

    [Fact]
    public void ParameterAssignedFromACallWithAConditionalArgumentCompiles()
    {
        // The conditional makes Roslyn spill the assignment's target into a flow capture.
        CompilesLikeEager(Model("for (var i = 0; i < 3; i++) x = x.Softmax(i % 2 == 0 ? -1 : 1);\nreturn x;"));
    }

    [Fact]
    public void LocalAssignedFromACallWithAConditionalArgumentCompiles()
    {
        CompilesLikeEager(Model("var y = x;\nfor (var i = 0; i < 3; i++) y = y.Softmax(i % 2 == 0 ? -1 : 1) * (i == 1 ? 2f : 0.5f);\nreturn y;"));
    }

    [Fact]
    public void GenericHelperIsInlined()
    {
        CompilesLikeEager(Model("return Id(x).Relu() + Id(Twice(x));",
            "    private static T Id<T>(T v) => v;\n    private static Tensor Twice(Tensor t) => Id<Tensor>(t) * 2f;"));
    }

    [Fact]
    public void LongModuleListNamesTheBlockLimit()
    {
        const int layers = 3000;
        var source = Model("foreach (var layer in _layers) x = layer.Forward(x);\nreturn x;",
            $"    private readonly ModuleList<Linear> _layers;\n    public M(Random g) {{ _layers = RegisterModule(\"layers\", new ModuleList<Linear>(Enumerable.Range(0, {layers}).Select(_ => new Linear(4, 4, generator: g)))); }}")
            .Replace("using System;", "using System;\nusing System.Linq;", StringComparison.Ordinal);
        var model = ModelHarness.Compile(source).Create("M", 1);
        var refused = Lower(source, model);
        var error = Assert.Single(refused.Errors);
        Assert.Equal(DiagnosticIds.TooManySpecializations, error.Id);
        Assert.Contains("LoweringOptions.BlockLimit", error.Message);
        Assert.Contains($"{layers} items", error.Message);

        // Following the advice compiles it, and it computes what the eager run does.
        var lowered = Lower(source, model, blockLimit: 4 * layers);
        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));
        ModelHarness.AssertSameValues(ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", [Input])), ModelHarness.RunLowered(lowered, [Input]).Outputs);
    }

    [Theory]
    [InlineData("return _head.Forward(x);", "private readonly Linear? _head;", "_head")]
    [InlineData("return x + _bias;", "private readonly Tensor? _bias;", "_bias")]
    public void NullFieldSaysItIsNullAndHowToFixIt(string body, string field, string name)
    {
        var source = Model(body.Replace("_head.", "_head!.", StringComparison.Ordinal).Replace("+ _bias", "+ _bias!", StringComparison.Ordinal), "    " + field);
        var model = ModelHarness.Compile(source).Create("M", 1);
        var error = Assert.Single(Lower(source, model).Errors);
        Assert.Contains($"'{name}' is null", error.Message);
        Assert.Contains("constructor", error.Message);
        Assert.Contains("is not null", error.Message);
    }

    [Fact]
    public void NullFieldTestedForNullFoldsAway()
    {
        CompilesLikeEager(Model("if (_head is not null) x = _head.Forward(x);\nreturn _bias is null ? x.Relu() : x + _bias;",
            "    private readonly Linear? _head;\n    private readonly Tensor? _bias;"));
    }
}
