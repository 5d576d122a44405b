using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>One compiled program shared by eight threads, as a serving app shares one: every
/// result of every entry point (<c>Run</c>, <c>RunInto</c>, sessions, the typed delegate) equals
/// what one thread computes alone, and that agrees with the oracle.</summary>
public class ConcurrentCallsTests
{
    private const int Threads = 8;
    private const int CallsPerModel = 20_000;

    [Theory]
    [InlineData("mlp")]
    [InlineData("early_exit")]
    [InlineData("loop_break")]
    [InlineData("nested")]
    [InlineData("irreducible")]
    public void EightThreadsSharingOneProgramGetOnlyRightAnswers(string name)
    {
        var index = Array.FindIndex(CompiledSamplesFixture.Texts, t => IRProgram.Parse(t).Name == name);
        var program = IRProgram.Parse(CompiledSamplesFixture.Texts[index]);
        var weights = RandomData.Weights(program, 11 + index);
        using var compiled = JitCompiler.Compile(program, weights, new CompileOptions { RecordPath = false });
        var inputSets = Enumerable.Range(0, 16).Select(seed => RandomData.Inputs(program, new Random(seed), scale: 2f)).ToArray();

        // The oracle: the interpreter; the exact reference: the same program called by one thread.
        var interpreter = new Interpreter();
        var reference = inputSets.Select(inputs =>
        {
            var outputs = compiled.Run(inputs).Outputs;
            var expected = interpreter.Run(program, inputs, weights);
            Assert.Null(Agreement.Compare(expected, new RunResult(outputs, Agreement.HostPath(compiled.Partition, expected.Path), 0), compiled.Partition));
            return outputs.ToArray();
        }).ToArray();

        var wrong = RunConcurrently(CallsPerModel / Threads, (thread, call) =>
        {
            var k = (thread * 7 + call) % inputSets.Length;
            object[] outputs;
            switch (call % 3)
            {
                case 0:
                    outputs = [.. compiled.Run(inputSets[k]).Outputs];
                    break;
                case 1:
                    outputs = new object[reference[k].Length];
                    compiled.RunInto(inputSets[k], outputs);
                    break;
                default:
                    outputs = new object[reference[k].Length];
                    // A session's results live in its buffers: compare before giving them back.
                    using (var session = compiled.OpenSession())
                    {
                        session.RunInto(inputSets[k], outputs);
                        return SameValues(reference[k], outputs);
                    }
            }
            return SameValues(reference[k], outputs);
        }, out var error);
        Assert.Null(error);
        Assert.Equal(0, wrong);
    }

    /// <summary>The kernels that share work out over cores (the blocked GEMM with a packed weight,
    /// a convolution with a folded batch-norm) called from eight threads at once.</summary>
    [Fact]
    public void MultiCoreKernelsCalledFromEightThreadsGetOnlyRightAnswers()
    {
        var program = IRProgram.Parse("""
            program @wide(%x: tensor<f32, [1, 4, 12, 12]>, %v: tensor<f32, [4, 512]>) -> (tensor<f32, [1, 4, 12, 12]>, tensor<f32, [4, 512]>) {
              weight @w : tensor<f32, [4, 4, 3, 3]>
              weight @b : tensor<f32, [4]>
              weight @m : tensor<f32, [4]>
              weight @var : tensor<f32, [4]>
              weight @g : tensor<f32, [4]>
              weight @be : tensor<f32, [4]>
              weight @lw : tensor<f32, [512, 512]>
              weight @lb : tensor<f32, [512]>
            ^entry(%x: tensor<f32, [1, 4, 12, 12]>, %v: tensor<f32, [4, 512]>):
              %c = conv2d(%x, @w, @b) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
              %n = batch_norm(%c, @m, @var, @g, @be) {eps = 0.00001}
              %r = relu(%n)
              %l = linear(%v, @lw, @lb)
              %t = tanh(%l)
              return %r, %t
            }
            """);
        var weights = RandomData.Weights(program, 21);
        weights["var"].Floats.Fill(0.75f);
        using var compiled = JitCompiler.Compile(program, weights);
        Assert.True(Plans.WritesIntoDestination(compiled, "linear"));
        var inputSets = Enumerable.Range(0, 8).Select(seed => RandomData.Inputs(program, new Random(seed))).ToArray();
        var interpreter = new Interpreter();
        var reference = inputSets.Select(inputs =>
        {
            var run = compiled.Run(inputs);
            Assert.Null(Agreement.Compare(interpreter.Run(program, inputs, weights), run, compiled.Partition));
            return run.Outputs.ToArray();
        }).ToArray();
        var wrong = RunConcurrently(250, (thread, call) =>
        {
            var k = (thread + call) % inputSets.Length;
            var outputs = new object[2];
            compiled.RunInto(inputSets[k], outputs);
            return SameValues(reference[k], outputs);
        }, out var error);
        Assert.Null(error);
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void ThreadsWithASessionEachGetOnlyRightAnswers()
    {
        var program = IRProgram.Parse(SamplePrograms.StaticMlp);
        var weights = RandomData.Weights(program, 3);
        using var compiled = JitCompiler.Compile(program, weights);
        var inputSets = Enumerable.Range(0, 16).Select(seed => RandomData.Inputs(program, new Random(seed))).ToArray();
        var reference = inputSets.Select(inputs => compiled.Run(inputs).Outputs.ToArray()).ToArray();
        var sessions = Enumerable.Range(0, Threads).Select(_ => compiled.OpenSession()).ToArray();
        var outputs = Enumerable.Range(0, Threads).Select(_ => new object[1]).ToArray();
        var wrong = RunConcurrently(CallsPerModel / Threads, (thread, call) =>
        {
            var k = (thread * 5 + call) % inputSets.Length;
            sessions[thread].RunInto(inputSets[k], outputs[thread]);
            return SameValues(reference[k], outputs[thread]);
        });
        foreach (var s in sessions) s.Dispose();
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void TheTypedDelegateDoesNotSerializeAndAgreesWithEagerFromEightThreads()
    {
        var model = new TwoExitNet(new Random(5));
        var forward = DyCompiler.Compile<Func<Tensor, float, (Tensor, int)>>(model, [IRType.F32(1, 6), IRType.Float]);
        var rng = new Random(9);
        var cases = Enumerable.Range(0, 16).Select(_ => (X: Tensor.FromArray(Enumerable.Range(0, 6).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray(), 1, 6), Threshold: (float)(0.34 + rng.NextDouble() * 0.3))).ToArray();
        var eager = cases.Select(c => model.Forward(c.X, c.Threshold)).ToArray();
        var wrong = RunConcurrently(CallsPerModel / Threads, (thread, call) =>
        {
            var k = (thread * 3 + call) % cases.Length;
            var (probs, exit) = forward(cases[k].X, cases[k].Threshold);
            return exit == eager[k].Item2 && Close(eager[k].Item1, probs);
        });
        Assert.Equal(0, wrong);
    }

    /// <summary>Runs <paramref name="call"/> <paramref name="calls"/> times on each of eight
    /// threads started together; returns how many calls returned false or threw.</summary>
    internal static int RunConcurrently(int calls, Func<int, int, bool> call) => RunConcurrently(calls, call, out _);

    internal static int RunConcurrently(int calls, Func<int, int, bool> call, out Exception? firstError)
    {
        var wrong = 0;
        Exception? error = null;
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < calls; i++)
            {
                bool right;
                try { right = call(t, i); }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref error, e, null);
                    right = false;
                }
                if (!right) Interlocked.Increment(ref wrong);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        firstError = error;
        return wrong;
    }

    /// <summary>Bit for bit: concurrency must not change a single result.</summary>
    private static bool SameValues(object[] expected, object[] actual)
    {
        if (expected.Length != actual.Length) return false;
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] is Tensor e)
            {
                if (actual[i] is not Tensor a || !e.Shape.SequenceEqual(a.Shape) || !e.AsBytes().SequenceEqual(a.AsBytes())) return false;
            }
            else if (!Equals(expected[i], actual[i])) return false;
        }
        return true;
    }

    private static bool Close(Tensor expected, Tensor actual)
    {
        if (!expected.Shape.SequenceEqual(actual.Shape)) return false;
        var e = expected.ToFloatArray();
        var a = actual.ToFloatArray();
        for (var i = 0; i < e.Length; i++)
            if (!(Math.Abs(e[i] - a[i]) <= 1e-5f * (1 + Math.Abs(e[i])))) return false;
        return true;
    }
}
