using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary>Code users write every day at the edges of the subset: locals reassigned from
/// <c>?:</c>, <c>&amp;&amp;</c> and <c>||</c>, state kept in fields and properties. Each either
/// compiles and agrees eager ≡ interpreter ≡ compiled on inputs that take different paths, or is a
/// diagnostic that says what to write instead — never a wrong answer.</summary>
public class EverydayCodeTests
{
    private const string Source = """
        [DyCompile]
        public sealed class Reassigned : Module
        {
            public Reassigned(Random g) { }
            public (Tensor, int, bool) Forward(Tensor x, float a)
            {
                var h = x;
                h = a > 0f ? x : x * 2f;
                var done = false;
                done = a > 0f || a < -1f;
                var n = 0;
                n += a > 0f ? 1 : 2;
                n = a > 0f && x.Sum().Item() > 0f ? n + 10 : n + 20;
                Tensor g;
                g = a > 0f ? h.Relu() : h * 3f;
                int m;
                m = a > 0f || a < -1f ? n : -n;
                return (g, m, done);
            }
        }

        [DyCompile]
        public sealed class FlagLoop : Module
        {
            private readonly Linear _step;
            public FlagLoop(Random g) { _step = RegisterModule("step", new Linear(4, 4, generator: g)); }
            public (Tensor, int) Forward(Tensor x, float limit)
            {
                var h = x;
                var steps = 0;
                var stop = false;
                while (!stop)
                {
                    h = h.Sum().Item() > 0f ? _step.Forward(h).Tanh() : h + 0.25f;
                    steps += h.Max().Item() > 0.5f ? 2 : 1;
                    stop = steps >= 6 || h.Sum().Item() > limit;
                }
                return (h, steps);
            }
        }

        [DyCompile]
        public sealed class KeepBest : Module
        {
            private readonly ModuleList<Linear> _heads;
            public KeepBest(Random g)
            {
                _heads = RegisterModule("heads", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g), new Linear(4, 4, generator: g)]));
            }
            public Tensor Forward(Tensor x, float a)
            {
                Tensor? best = null;
                var bestScore = 0f;
                foreach (var head in _heads)
                {
                    var c = head.Forward(x);
                    var s = c.Max().Item();
                    if (best is null || s > bestScore) { best = c; bestScore = s; }
                }
                Tensor? scaled = null;
                for (var i = 0; i < 3; i++)
                {
                    var c = best! * (float)i - a;
                    if (scaled == null || c.Sum().Item() > scaled.Sum().Item()) scaled = c;
                }
                return scaled!;
            }
        }

        [DyCompile]
        public sealed class GetOnlyProperties : Module
        {
            public float Gain { get; } = 2f;
            public float Bias { get; init; } = 0.5f;
            public GetOnlyProperties(Random g) { }
            public Tensor Forward(Tensor x) => x.Sum().Item() > Bias ? x * Gain : x;
        }
        """;

    private static readonly Lazy<CompiledModels> Models = new(() => ModelHarness.Compile(ModelHarness.Usings + Source));

    [Fact]
    public void ALocalReassignedFromAConditionalOrALogicalOperatorCompiles()
    {
        var models = Models.Value;
        var model = models.Create("Reassigned", 1);
        var x = ModelHarness.Random(3, 2, 4);
        var (_, paths) = ThreeWay.Check(models, "Reassigned", "Forward", model,
            [[x, 0.5f], [x, -0.5f], [x, -2f], [x * -1f, 0.5f], [x, 0f]]);
        Assert.True(paths > 2, "the inputs took the same paths");
    }

    [Fact]
    public void FlagsAndCountersUpdatedInALoopFromConditionalsCompile()
    {
        var models = Models.Value;
        var model = models.Create("FlagLoop", 2);
        var sets = Enumerable.Range(0, 8).Select(s => new object[] { ModelHarness.Random(s, 1, 4), s * 0.4f - 1f }).ToList();
        var (_, paths) = ThreeWay.Check(models, "FlagLoop", "Forward", model, sets);
        Assert.True(paths > 2, "the inputs took the same paths");
    }

    [Fact]
    public void GetOnlyAndInitAutoPropertiesFold()
    {
        var models = Models.Value;
        var model = models.Create("GetOnlyProperties", 1);
        var x = ModelHarness.Random(4, 2, 4);
        var (lowered, paths) = ThreeWay.Check(models, "GetOnlyProperties", "Forward", model, [[x], [x * -1f], [x + 1f]]);
        Assert.True(paths > 1, "the inputs took the same paths");
        Assert.DoesNotContain(lowered.Diagnostics, d => d.Id == DiagnosticIds.MutableFieldRead);
    }

    [Fact]
    public void ANullLocalAssignedInAnUnrolledLoopKeepsTheBestCandidate()
    {
        var models = Models.Value;
        var model = models.Create("KeepBest", 4);
        var sets = Enumerable.Range(0, 6).Select(s => new object[] { ModelHarness.Random(s, 1, 4) * 2f, s % 3 - 1f }).ToList();
        var (_, paths) = ThreeWay.Check(models, "KeepBest", "Forward", model, sets);
        Assert.True(paths > 1, "the inputs took the same path");
    }

    [Fact]
    public void ANullLocalThatALoopWithARunTimeBoundMayLeaveNullSaysHowToGiveItAValue()
    {
        const string members = "public Tensor Forward(Tensor x)\n{\n    Tensor? best = null;\n    var score = 0f;\n    while (score < 3f)\n    {\n        x = x + 1f;\n        score = x.Max().Item();\n        if (best is null || score > 2f) best = x;\n    }\n    return best!;\n}";
        var result = LowerState(members, strict: true);
        var error = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticIds.UnsupportedType, error.Id);
        Assert.Equal(Where(members, "best!"), (error.Line, error.Column));
        Assert.Contains("'best ?? fallback'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARankChangeWhereAnIfMeetsItsElseNamesTheJoinNotALoop()
    {
        const string members = "public Tensor Forward(Tensor x)\n{\n    var h = x;\n    if (x.Sum().Item() > 0f) h = x.Sum();\n    return h * 2f;\n}";
        var result = LowerState(members, strict: true);
        var error = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticIds.TooManySpecializations, error.Id);
        Assert.Contains("on one path", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("loop", error.Message, StringComparison.Ordinal);
    }

    private const string StateHeader = """
        [DyCompile]
        public sealed class M : Module
        {
            private Tensor _memory = Tensor.Zeros(1, 4);
            public float Scale { get; set; } = 1f;
            public float Threshold { get; set; } = 0.5f;
            public M(Random g) { }

        """;

    private static LoweringResult LowerState(string members, bool strict)
    {
        var source = ModelHarness.Usings + StateHeader + members + "\n}\n";
        var models = ModelHarness.Compile(source);
        return ModelLowering.Lower(models.Compilation, "M", "Forward", models.Create("M", 1),
            new LoweringOptions { InputTypes = [IRType.F32(1, 4)], Strict = strict });
    }

    private static (int Line, int Column) Where(string members, string marker)
    {
        var source = ModelHarness.Usings + StateHeader + members;
        var index = source.LastIndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0);
        return (source[..index].Count(c => c == '\n') + 1, index - (source.LastIndexOf('\n', index - 1) + 1) + 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATensorFieldReadAndAssignedInForwardIsRejected(bool strict)
    {
        // Compiled, the read of _memory would be frozen at its value when the model was lowered.
        const string members = "public Tensor Forward(Tensor x)\n{\n    var y = x + _memory;\n    _memory = y;\n    return y;\n}";
        var result = LowerState(members, strict);
        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors, e => e.Id == DiagnosticIds.FieldMutation);
        Assert.Equal(Where(members, "_memory = y"), (error.Line, error.Column));
        Assert.Contains("parameter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATensorFieldWrittenByAHelperAndReadInForwardIsRejected()
    {
        const string members = "public Tensor Forward(Tensor x)\n{\n    var y = x * _memory;\n    Remember(y);\n    return y;\n}\nprivate void Remember(Tensor y) { _memory = y; }";
        var result = LowerState(members, strict: false);
        Assert.Contains(result.Errors, e => e.Id == DiagnosticIds.FieldMutation);
    }

    [Theory]
    [InlineData("public Tensor Forward(Tensor x) => x * Scale;", "Scale;")]
    [InlineData("public Tensor Forward(Tensor x)\n{\n    if (x.Max().Item() > Threshold) return x;\n    return x * 2f;\n}", "Threshold)")]
    public void ASettableAutoPropertyReadInForwardIsAMutableRead(string members, string marker)
    {
        var result = LowerState(members, strict: false);
        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticIds.MutableFieldRead, error.Id);
        Assert.Equal(Where(members, marker), (error.Line, error.Column));
        Assert.Contains("{ get; }", error.Message, StringComparison.Ordinal);
    }
}
