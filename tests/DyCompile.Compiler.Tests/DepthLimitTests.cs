using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary>Source as long or as deeply nested as a user (or a code generator) may write it
/// compiles, or is refused with a diagnostic; the compiler never overflows its stack. Every
/// compile here runs on a thread-pool thread, whose 1.5 MB stack is where a recursive walk over
/// a long expression or a long method gave out first.</summary>
public class DepthLimitTests
{
    private static string Model(string body) =>
        ModelHarness.Usings + "[DyCompile] public sealed class Deep : Module { public Tensor Forward(Tensor x) { " + body + " } }";

    /// <summary>Integer-valued input, so sums of thousands of terms are exact in float.</summary>
    private static readonly Tensor Input = Tensor.FromArray([1f, -2f, 3f, 0f], [1, 4]);

    /// <summary>Compiles <paramref name="source"/> on a thread-pool thread, for an instance of
    /// <paramref name="modelSource"/> (the source itself when null); when it compiled, its result
    /// must be <paramref name="expected"/> of the input (the eager run when null); otherwise every
    /// error must be one of <paramref name="allowed"/>.</summary>
    private static DyCompilation CompileOnThreadPool(string source, Func<Tensor, Tensor>? expected = null, string? modelSource = null, params string[] allowed)
    {
        var model = ModelHarness.Compile(modelSource ?? source).Create("Deep", 1);
        var compiled = Task.Run(() => DyCompiler.Compile(model, source, [IRType.F32(1, 4)])).GetAwaiter().GetResult();
        if (compiled.Succeeded)
        {
            IReadOnlyList<object> want = expected is null ? ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", [Input])) : [expected(Input)];
            ModelHarness.AssertSameValues(want, compiled.Program!.Run([Input]).Outputs);
        }
        else
        {
            Assert.NotEmpty(compiled.Diagnostics);
            Assert.All(compiled.Diagnostics.Where(d => d.IsError), d => Assert.Contains(d.Id, allowed));
        }
        return compiled;
    }

    [Fact]
    public void SumOfTwentyThousandTermsCompiles()
    {
        // C# builds no assembly from this (CS8078 when emitting), but its semantic model binds it,
        // and so does the frontend; the instance comes from a small model of the same name.
        var compiled = CompileOnThreadPool(Model("return " + string.Join(" + ", Enumerable.Repeat("x", 20_000)) + ";"), x => x * 20_000f, Model("return x;"));
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
    }

    [Fact]
    public void MethodOfSixteenThousandStatementsCompiles()
    {
        var compiled = CompileOnThreadPool(Model(string.Concat(Enumerable.Repeat("x = x + 1f;\n", 16_000)) + "return x;"));
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
    }

    [Fact]
    public void RunOfTwelveThousandEarlyReturnsCompiles()
    {
        // Each `if` on a compile-time constant falls through into a block with no other
        // predecessor: a chain of blocks as long as the method.
        var compiled = CompileOnThreadPool(Model(string.Concat(Enumerable.Repeat("if (x.Rank == 5) return x;\nx = x * 1f;\n", 12_000)) + "return x;"));
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
    }

    [Theory]
    [InlineData("right-nested sum", 20_000)]
    [InlineData("nested calls", 20_000)]
    [InlineData("parentheses", 20_000)]
    [InlineData("unary minus", 20_000)]
    [InlineData("right-nested sum", 500)]
    [InlineData("nested calls", 500)]
    [InlineData("unary minus", 500)]
    public void DeeplyNestedExpressionCompilesOrIsRefused(string shape, int depth)
    {
        var (expression, expected) = shape switch
        {
            "right-nested sum" => (string.Concat(Enumerable.Repeat("x + (", depth)) + "x" + new string(')', depth), (Func<Tensor, Tensor>)(x => x * (depth + 1f))),
            "nested calls" => (string.Concat(Enumerable.Repeat("TensorOps.Relu(", depth)) + "x" + new string(')', depth), TensorOps.Relu),
            "unary minus" => (string.Concat(Enumerable.Repeat("- ", depth)) + "x", x => x),
            _ => (new string('(', depth) + "x" + new string(')', depth), x => x),
        };
        // The instance comes from a small model of the same name: the deep source need not build.
        var compiled = CompileOnThreadPool(Model("return " + expression + ";"), expected, Model("return x;"), DiagnosticIds.NestingTooDeep);
        // Hundreds of levels are ordinary code: they compile.
        if (depth <= 500) Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        if (!compiled.Succeeded)
            Assert.Contains(compiled.Diagnostics, d => d.Id == DiagnosticIds.NestingTooDeep && d.Message.Contains("split it into statements", StringComparison.Ordinal));
    }
}
