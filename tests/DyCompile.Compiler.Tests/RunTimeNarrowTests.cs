using System.Text.RegularExpressions;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary><c>x.Narrow(dim, t, length)</c> with a loop counter <c>t</c>: the start becomes the
/// run-time operand of <c>narrow</c>, so the loop stays one loop (it used to unroll, one copy per
/// token), and a start outside the dimension fails as the eager Narrow fails.</summary>
public class RunTimeNarrowTests
{
    private const string Source = """
        [DyCompile]
        public sealed class TokenLoop : Module
        {
            private readonly Linear _mix;
            public TokenLoop(Random g) { _mix = RegisterModule("mix", new Linear(4, 4, generator: g)); }
            public (Tensor Rows, Tensor Last) Forward(Tensor x)
            {
                var rows = Tensor.Zeros(0, 4);
                var last = Tensor.Zeros(1, 4);
                for (var t = 0; t < x.Dim(1); t++)
                {
                    var token = x.Narrow(1, t, 1).Reshape(1, 4);
                    var mirrored = x.Narrow(1, -1 - t, 1).Reshape(1, 4);
                    last = _mix.Forward(token + last).Tanh() - mirrored;
                    rows = TensorOps.Concat([rows, last], 0);
                }
                return (rows, last);
            }
        }

        [DyCompile]
        public sealed class CountedRows : Module
        {
            public CountedRows(Random g) { }
            public Tensor Forward(Tensor x, int n, int first)
            {
                var sum = Tensor.Zeros(2, 1);
                for (var t = 0; t < n; t++) sum = sum * 0.5f + x.Narrow(1, first + t, 1);
                return sum;
            }
        }
        """;

    private static readonly Lazy<CompiledModels> Models = new(() => ModelHarness.Compile(ModelHarness.Usings + Source));

    [Fact]
    public void TokenLoopLowersToOneLoopAndAgreesWithEager()
    {
        var models = Models.Value;
        var model = models.Create("TokenLoop", 3);
        string? text = null;
        for (var seed = 1; seed <= 6; seed++)
        {
            var (lowered, run) = ModelHarness.Check(models, "TokenLoop", "Forward", model, ModelHarness.Random(seed, 1, 5, 4));
            text ??= lowered.Program!.ToString();
            // Five iterations of one loop: entry, six tests at the head, five bodies, the exit.
            Assert.Equal(1 + 6 + 5 + 1, run.Path.Count);
        }
        Golden.Match("TokenLoop", text!);
        var program = IRProgram.Parse(text!);
        // entry, the loop head, its body and the exit: no copy per token.
        Assert.Equal(4, program.Blocks.Length);
        Assert.Equal(2, Regex.Matches(text!, @"= narrow\(").Count);
        Assert.DoesNotMatch(@"= slice\(", text!);
        Assert.Equal("tensor<f32, [?, 4]>", program.ResultTypes[0].ToString());
    }

    [Fact]
    public void BlockCountStaysSmallForManyTokens()
    {
        var models = Models.Value;
        var model = models.Create("TokenLoop", 3);
        var (lowered, _) = ModelHarness.Check(models, "TokenLoop", "Forward", model, ModelHarness.Random(9, 1, 300, 4));
        Assert.Equal(4, lowered.Program!.Blocks.Length);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 0)]
    [InlineData(2, 3)]
    [InlineData(5, -5)]
    public void RunTimeStartsAgreeWithEager(int n, int first)
    {
        var models = Models.Value;
        ModelHarness.Check(models, "CountedRows", "Forward", models.Create("CountedRows", 1), ModelHarness.Random(n + 7, 2, 5), n, first);
    }

    [Theory]
    [InlineData(6, 0)]
    [InlineData(2, 4)]
    [InlineData(1, -6)]
    public void StartOutsideTheDimensionFailsWithTheEagerMessage(int n, int first)
    {
        var models = Models.Value;
        var model = models.Create("CountedRows", 1);
        object[] inputs = [ModelHarness.Random(1, 2, 5), n, first];
        var eager = Assert.Throws<TensorOpException>(() => ModelHarness.RunEager(model, "Forward", inputs));
        var lowered = ModelHarness.Lower(models, "CountedRows", "Forward", model, inputs);
        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));
        var failure = Assert.Throws<InterpreterException>(() => ModelHarness.RunLowered(lowered, inputs));
        var inner = Assert.IsType<TensorOpException>(failure.InnerException);
        Assert.Equal(eager.Message, inner.Message);
        Assert.StartsWith("narrow: narrow of start ", inner.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompiledTokenLoopAgreesWithEagerAndWritesNarrowIntoItsBuffer()
    {
        var models = Models.Value;
        var model = models.Create("TokenLoop", 3);
        var compiled = DyCompiler.Compile(model, models.Compilation, ModelLowering.TypesOf([ModelHarness.Random(1, 1, 5, 4)]));
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        // The narrow writes the rows into a buffer of the segment rather than allocating them.
        Assert.True(Jit.Plans.WritesIntoDestination(compiled.Program!, "narrow"), compiled.Program!.PassDumps.Single(d => d.Pass == "plan-memory").Text);
        for (var seed = 1; seed <= 4; seed++)
        {
            var x = ModelHarness.Random(seed, 1, 5, 4);
            var eager = ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", [x]));
            var result = compiled.Program.Run([x]);
            ModelHarness.AssertSameValues(eager, [.. result.Outputs.Select(o => ((Tensor)o).Clone())]);
        }
    }

    [Fact]
    public void CompiledStartOutsideTheDimensionThrowsTheEagerException()
    {
        var models = Models.Value;
        var model = models.Create("CountedRows", 1);
        object[] valid = [ModelHarness.Random(1, 2, 5), 3, 1];
        var compiled = DyCompiler.Compile(model, models.Compilation, ModelLowering.TypesOf(valid));
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        ModelHarness.AssertSameValues(ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", valid)), [((Tensor)compiled.Program!.Run(valid).Outputs[0]).Clone()]);
        foreach (var (n, first) in new[] { (6, 0), (2, 4), (1, -6) })
        {
            object[] inputs = [ModelHarness.Random(1, 2, 5), n, first];
            var eager = Assert.Throws<TensorOpException>(() => ModelHarness.RunEager(model, "Forward", inputs));
            var failure = Assert.Throws<TensorOpException>(() => compiled.Program.Run(inputs));
            Assert.Equal(eager.Message, failure.Message);
        }
    }

    [Fact]
    public void ASliceWithRunTimeBoundsPointsToNarrow()
    {
        const string source = """
            [DyCompile]
            public sealed class RunTimeSlice : Module
            {
                public RunTimeSlice(Random g) { }
                public Tensor Forward(Tensor x, int n) => TensorOps.Slice(x, 1, n, n + 1, 1);
            }
            """;
        var models = ModelHarness.Compile(ModelHarness.Usings + source);
        var lowered = ModelHarness.Lower(models, "RunTimeSlice", "Forward", models.Create("RunTimeSlice", 1), [ModelHarness.Random(1, 2, 5), 2]);
        var error = Assert.Single(lowered.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.NotCompileTimeConstant, error.Id);
        Assert.Contains("use x.Narrow(dim, start, length)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARunTimeLengthStillNeedsACompileTimeValue()
    {
        const string source = """
            [DyCompile]
            public sealed class RunTimeLength : Module
            {
                public RunTimeLength(Random g) { }
                public Tensor Forward(Tensor x, int n) => x.Narrow(1, 0, n);
            }
            """;
        var models = ModelHarness.Compile(ModelHarness.Usings + source);
        var lowered = ModelHarness.Lower(models, "RunTimeLength", "Forward", models.Create("RunTimeLength", 1), [ModelHarness.Random(1, 2, 5), 2]);
        var error = Assert.Single(lowered.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.NotCompileTimeConstant, error.Id);
        Assert.Contains("x.Narrow(1, 0, n)", error.Message, StringComparison.Ordinal);
    }
}
