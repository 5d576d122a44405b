using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary><c>x.Dim(d)</c> of a dimension that is <c>?</c> (a dynamic batch or sequence length) is a
/// host int read when the program runs (<c>host.dim</c>): a loop bounded by it stays one run-time
/// loop, and a narrow start counted from the end of such a dimension is computed at run time. It
/// used to fail with DYC0201 ("a program cannot read a size at run time"). Creating a tensor of a
/// run-time size has no IR form, and the diagnostic says what to write instead.</summary>
public class RunTimeSizeTests
{
    private const string Source = """
        [DyCompile]
        public sealed class RowLoop : Module
        {
            private readonly Linear _mix;
            public RowLoop(Random g) { _mix = RegisterModule("mix", new Linear(4, 4, generator: g)); }
            public (Tensor Sum, int Rows) Forward(Tensor x)
            {
                var sum = Tensor.Zeros(1, 4);
                var rows = 0;
                for (var b = 0; b < x.Dim(0); b++)
                {
                    sum = _mix.Forward(sum + x.Narrow(0, b, 1)).Tanh();
                    rows++;
                }
                return (sum, rows + x.Dim(0));
            }
        }

        [DyCompile]
        public sealed class LastStep : Module
        {
            public LastStep(Random g) { }
            public Tensor Forward(Tensor x)
            {
                var last = x.Narrow(1, -1, 1);
                if (x.Dim(1) > 2) return last * 2f;
                return last;
            }
        }

        [DyCompile]
        public sealed class ZerosOfBatch : Module
        {
            public ZerosOfBatch(Random g) { }
            public Tensor Forward(Tensor x) => x.Narrow(1, 0, 3) + Tensor.Zeros(x.Dim(0), 3);
        }

        [DyCompile]
        public sealed class ReshapeByLength : Module
        {
            public ReshapeByLength(Random g) { }
            public Tensor Forward(Tensor x) => x.Reshape(x.Dim(0), 2, 2);
        }
        """;

    private static readonly Lazy<CompiledModels> Models = new(() => ModelHarness.Compile(ModelHarness.Usings + Source));

    [Fact]
    public void LoopOverADynamicBatchStaysOneLoopAndAgreesOnEveryBatchSize()
    {
        var models = Models.Value;
        var model = models.Create("RowLoop", 3);
        object[][] inputs = [[ModelHarness.Random(1, 1, 4)], [ModelHarness.Random(2, 3, 4)], [ModelHarness.Random(3, 6, 4)], [ModelHarness.Random(4, 0, 4)]];
        var (lowered, paths) = ThreeWay.Check(models, "RowLoop", "Forward", model, inputs, [IRType.F32(TensorType.Dynamic, 4)]);
        Assert.Equal(4, paths);
        // entry, loop head, body, exit: the loop is not unrolled per row.
        Assert.Equal(4, lowered.Program!.Blocks.Length);
    }

    [Fact]
    public void NarrowFromTheEndOfARunTimeLengthAgrees()
    {
        var models = Models.Value;
        var model = models.Create("LastStep", 1);
        object[][] inputs = [[ModelHarness.Random(5, 2, 1, 3)], [ModelHarness.Random(6, 2, 4, 3)], [ModelHarness.Random(7, 2, 7, 3)]];
        var (_, paths) = ThreeWay.Check(models, "LastStep", "Forward", model, inputs, [IRType.F32(2, TensorType.Dynamic, 3)]);
        Assert.Equal(2, paths);
    }

    [Theory]
    [InlineData("ZerosOfBatch", "x * 0f")]
    [InlineData("ReshapeByLength", "x.Reshape(-1, 3)")]
    public void CreatingATensorOfARunTimeSizeSaysWhatToWriteInstead(string type, string fix)
    {
        var models = Models.Value;
        var result = ModelLowering.Lower(models.Compilation, type, "Forward", models.Create(type, 1),
            new LoweringOptions { InputTypes = [IRType.F32(TensorType.Dynamic, 4)] });
        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticIds.NotCompileTimeConstant, error.Id);
        Assert.Contains(fix, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSizeReadAgreesWithTheTensorAndFailsOnAnAxisOutOfRange()
    {
        Assert.Equal(5, HostEvaluator.Evaluate("host.dim", [Tensor.Zeros(2, 5), 1]));
        Assert.Equal(2, HostEvaluator.Evaluate("host.dim", [Tensor.Zeros(2, 5), -2]));
        Assert.ThrowsAny<Exception>(() => HostEvaluator.Evaluate("host.dim", [Tensor.Zeros(2, 5), 2]));
    }
}
