using System.Diagnostics;
using System.Runtime.CompilerServices;
using DyCompile.Backends.Host;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using DyCompile.Runtime.Nn;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>A compiled loop that does not end can be stopped: by the call's cancellation token
/// or by the iteration limit. Stopping throws <see cref="LoopStoppedException"/> naming the loop's
/// source line, and the program answers the next call correctly.</summary>
public class LoopStopTests
{
    /// <summary>A counted loop whose step is an input: step 0 never ends.</summary>
    private const string Spin = """
        program @spin(%x: tensor<f32, [2]>, %n: int, %step: int) -> (tensor<f32, [2]>, int) {
        ^entry(%x: tensor<f32, [2]>, %n: int, %step: int):
          %z = const 0 : int
          jump ^head(%x, %z, %n, %step)
        ^head(%h: tensor<f32, [2]>, %i: int, %m: int, %s: int):
          %more = host.lt(%i, %m)
          branch %more, ^body(%h, %i, %m, %s), ^done(%h, %i)
        ^body(%hb: tensor<f32, [2]>, %ib: int, %mb: int, %sb: int):
          %h2 = tanh(%hb)
          %i2 = host.add(%ib, %sb)
          jump ^head(%h2, %i2, %mb, %sb)
        ^done(%r: tensor<f32, [2]>, %count: int):
          return %r, %count
        }
        """;

    private static readonly Tensor X = Tensor.FromArray([0.5f, -2f], 2);

    [Fact]
    public void CancellingARunawayLoopStopsItAndTheProgramAnswersTheNextCall()
    {
        using var compiled = JitCompiler.Compile(IRProgram.Parse(Spin));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        var stopped = Assert.Throws<LoopStoppedException>(() => compiled.Run([X, 10, 0], cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
        Assert.Equal(LoopStopReason.Cancelled, stopped.Reason);
        Assert.Equal("head", stopped.Loop);
        Assert.Null(stopped.SourceLocation);
        Assert.Equal(cancel.Token, stopped.CancellationToken);
        Assert.True(stopped.Iterations > 0);
        Assert.Contains("^head", stopped.Message);

        AnswersAsTheInterpreter(compiled);
    }

    [Fact]
    public void AnAlreadyCancelledTokenStopsAtTheFirstLoopHead()
    {
        using var compiled = JitCompiler.Compile(IRProgram.Parse(Spin));
        var outputs = new object[2];
        var stopped = Assert.Throws<LoopStoppedException>(() => compiled.RunInto([X, 10, 1], outputs, new CancellationToken(canceled: true)));
        Assert.Equal(1, stopped.Iterations);
        // A program without loops has nothing to stop: a cancelled token does not fail it.
        var straight = IRProgram.Parse(SamplePrograms.StaticMlp);
        using var mlp = JitCompiler.Compile(straight, RandomData.Weights(straight, 1));
        mlp.Run(RandomData.Inputs(straight, new Random(1)), new CancellationToken(canceled: true));
    }

    [Fact]
    public void TheIterationLimitStopsARunawayLoopAndLeavesShorterCallsAlone()
    {
        using var compiled = JitCompiler.Compile(IRProgram.Parse(Spin), options: new CompileOptions { LoopIterationLimit = 1000 });
        var stopped = Assert.Throws<LoopStoppedException>(() => compiled.Run([X, 10, 0]));
        Assert.Equal(LoopStopReason.IterationLimit, stopped.Reason);
        Assert.Equal(1001, stopped.Iterations);
        Assert.Contains("limit of 1000", stopped.Message);
        // Every stopped call gives its execution state back: one thread needs only one.
        for (var i = 0; i < 20; i++) Assert.Throws<LoopStoppedException>(() => compiled.Run([X, 10, 0]));
        Assert.Equal(1, compiled.StatesCreated);
        // 999 passes through the head (998 iterations and the exit test) fit in the limit.
        var result = compiled.Run([X, 998, 1]);
        Assert.Equal(998, result.Outputs[1]);
        Assert.Throws<LoopStoppedException>(() => compiled.Run([X, 1000, 1]));
        AnswersAsTheInterpreter(compiled);
    }

    [Fact]
    public async Task AStoppedSessionCallLeavesTheSessionUsable()
    {
        using var compiled = JitCompiler.Compile(IRProgram.Parse(Spin));
        using var session = compiled.OpenSession();
        var outputs = new object[2];
        using var cancel = new CancellationTokenSource();
        // The runaway call holds the session; a second call on it must be refused, not share its buffers.
        var runaway = Task.Run(() =>
        {
            while (true)
            {
                try { session.RunInto([X, 10, 0], outputs, cancel.Token); }
                catch (InvalidOperationException) { continue; }
            }
        });
        var refused = false;
        var watch = Stopwatch.StartNew();
        while (!refused && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            try { session.RunInto([X, 3, 1], new object[2]); }
            catch (InvalidOperationException e) { refused = e.Message.Contains("one call at a time"); }
        }
        cancel.Cancel();
        var stopped = await Assert.ThrowsAsync<LoopStoppedException>(() => runaway);
        Assert.True(refused);
        Assert.Equal(LoopStopReason.Cancelled, stopped.Reason);
        session.RunInto([X, 3, 1], outputs);
        Assert.Equal(3, outputs[1]);
    }

    [Fact]
    public void AStoppedModelLoopNamesItsSourceLine()
    {
        var model = new HalvingLoop();
        var compiled = DyCompiler.Compile(model, [IRType.F32(1, 4), IRType.Float], new DyCompilerOptions { Jit = new() { LoopIterationLimit = 10_000 } });
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        using var program = compiled.Program!;
        var x = Tensor.FromArray([0.1f, 0.2f, -0.3f, 0.4f], 1, 4);
        // h → h/2 + 1 approaches 2: a threshold of 3 is never reached.
        var stopped = Assert.Throws<LoopStoppedException>(() => program.Run([x, 3f]));
        Assert.Equal(LoopStopReason.IterationLimit, stopped.Reason);
        Assert.Equal($"{Path.GetFileName(ThisFile())}({HalvingLoop.WhileLine()})", stopped.SourceLocation);
        Assert.Contains(stopped.SourceLocation!, stopped.Message);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var unlimited = DyCompiler.Compile(model, [IRType.F32(1, 4), IRType.Float]).Program!;
        Assert.Equal(stopped.SourceLocation, Assert.Throws<LoopStoppedException>(() => unlimited.Run([x, 3f], cancel.Token)).SourceLocation);

        // The next call, with a threshold the loop reaches, agrees with eager.
        var (expected, steps) = model.Forward(x, 1.9f);
        var result = program.Run([x, 1.9f]);
        Assert.Equal(steps, result.Outputs[1]);
        Assert.Equal(expected.ToFloatArray(), ((Tensor)result.Outputs[0]).ToFloatArray());
    }

    private static void AnswersAsTheInterpreter(CompiledProgram compiled)
    {
        object[] inputs = [X, 7, 1];
        var expected = new Interpreter().Run(compiled.Program, inputs, new Dictionary<string, Tensor>());
        Assert.Null(Agreement.Compare(expected, compiled.Run(inputs), compiled.Partition));
    }

    internal static string ThisFile([CallerFilePath] string path = "") => path;
}

/// <summary>Halves and shifts until a threshold is passed: h → h/2 + 1 tends to 2, so a threshold
/// above 2 is never reached.</summary>
[DyCompile]
public sealed class HalvingLoop : Module
{
    public (Tensor, int) Forward(Tensor x, float threshold)
    {
        var h = x;
        var steps = 0;
        while (h.Min().Item() < threshold)
        {
            h = h * 0.5f + 1f;
            steps++;
        }
        return (h, steps);
    }

    /// <summary>The line of the <c>while</c> above in this file.</summary>
    public static int WhileLine() =>
        Array.FindIndex(File.ReadAllLines(LoopStopTests.ThisFile()), l => l.Contains("while (h.Min().Item() < threshold)", StringComparison.Ordinal)) + 1;
}

/// <summary>The loop line of a model compiled from source text.</summary>
public class LoopStopSourceTests
{
    [Fact]
    public void AModelGivenAsSourceTextNamesItsLoopLine()
    {
        var source = ModelHarness.Usings + """
            [DyCompile]
            public sealed class Spinner : Module
            {
                public Tensor Forward(Tensor x, int n)
                {
                    var h = x;
                    for (var i = 0; i < n; i += 0)
                        h = h.Tanh();
                    return h;
                }
            }
            """;
        var model = ModelHarness.Compile(source).Create("Spinner", 0);
        var compiled = DyCompiler.Compile(model, source, [IRType.F32(3), IRType.Int],
            new DyCompilerOptions { Lowering = new() { FileName = "Spinner.cs" }, Jit = new() { LoopIterationLimit = 50 } });
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        var stopped = Assert.Throws<LoopStoppedException>(() => compiled.Program!.Run([Tensor.Full(0.5f, 3), 4]));
        var line = Array.FindIndex(source.Split('\n'), l => l.Contains("for (var i = 0;", StringComparison.Ordinal)) + 1;
        Assert.Equal($"Spinner.cs({line})", stopped.SourceLocation);
        Assert.Throws<LoopStoppedException>(() => compiled.Program!.Run([Tensor.Full(0.5f, 3), 4]));
    }
}
