using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary>Source given as text is read as the user's project reads it: with the project's
/// global usings (by default those the SDK's ImplicitUsings adds), so a file that builds in the
/// app compiles here too.</summary>
public class SourceUsingsTests
{
    // No 'using System;': Random and Math come from the project's implicit global usings.
    private const string Source = """
        using DyCompile.Runtime;
        using DyCompile.Runtime.Nn;

        [DyCompile]
        public sealed class Implicit : Module
        {
            private readonly Linear _layer;
            private readonly int _steps;
            public Implicit(Random g)
            {
                _layer = RegisterModule("layer", new Linear(4, 4, generator: g));
                _steps = Math.Max(2, g.Next(1, 3));
            }
            public Tensor Forward(Tensor x)
            {
                for (var i = 0; i < _steps; i++) x = _layer.Forward(x).Tanh();
                return x;
            }
        }
        """;

    private static readonly Tensor Input = ModelHarness.Random(5, 2, 4);

    /// <summary>The app's build of the model: its source plus the SDK's GlobalUsings.g.cs.</summary>
    private static object BuildLikeTheApp(string source, IEnumerable<string> usings) =>
        ModelHarness.Compile(source, string.Concat(usings.Select(u => $"global using {u};\n"))).Create("Implicit", 4);

    [Fact]
    public void SourceThatBuildsWithImplicitUsingsCompiles()
    {
        var model = BuildLikeTheApp(Source, LoweringOptions.SdkImplicitUsings);
        var compiled = DyCompiler.Compile(model, Source, [IRType.F32(2, 4)]);
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        ModelHarness.AssertSameValues(ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", [Input])), compiled.Program!.Run([Input]).Outputs);
    }

    [Fact]
    public void TheCallerGivesItsProjectsUsings()
    {
        var withoutRuntimeUsings = Source.Replace("using DyCompile.Runtime;\nusing DyCompile.Runtime.Nn;\n", "", StringComparison.Ordinal);
        string[] projectUsings = [.. LoweringOptions.SdkImplicitUsings, "DyCompile.Runtime", "DyCompile.Runtime.Nn"];
        var model = BuildLikeTheApp(withoutRuntimeUsings, projectUsings);
        var options = new DyCompilerOptions { Lowering = new LoweringOptions { GlobalUsings = projectUsings } };
        var compiled = DyCompiler.Compile(model, withoutRuntimeUsings, [IRType.F32(2, 4)], options);
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        ModelHarness.AssertSameValues(ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", [Input])), compiled.Program!.Run([Input]).Outputs);
    }

    [Fact]
    public void AProjectWithoutImplicitUsingsSaysSo()
    {
        var model = BuildLikeTheApp(Source, LoweringOptions.SdkImplicitUsings);
        var options = new DyCompilerOptions { Lowering = new LoweringOptions { GlobalUsings = [] } };
        var compiled = DyCompiler.Compile(model, Source, [IRType.F32(2, 4)], options);
        Assert.False(compiled.Succeeded);
        Assert.Contains(compiled.Diagnostics, d => d.Id == DiagnosticIds.SourceErrors && d.Message.Contains("'Random'", StringComparison.Ordinal));
    }
}
