using DyCompile.Compiler.Jit;
using DyCompile.Passes.Fusion;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>The sample dynamic programs, compiled together in one Roslyn compilation (shared by
/// every test of this class).</summary>
public sealed class CompiledSamplesFixture
{
    public static readonly string[] Texts =
    [
        SamplePrograms.EarlyExit, SamplePrograms.LoopWithBreak, SamplePrograms.NestedBranches,
        SamplePrograms.RepeatedLayer, SamplePrograms.CheapBranch, SamplePrograms.StaticMlp, SamplePrograms.Irreducible, SamplePrograms.DynamicBatch,
    ];

    public CompiledSamplesFixture()
    {
        Programs = Texts.Select(IRProgram.Parse).ToList();
        Weights = Programs.Select((p, i) => RandomData.Weights(p, 100 + i)).ToList();
        Compiled = JitCompiler.CompileMany(Programs.Select((p, i) => (p, (IReadOnlyDictionary<string, Tensor>?)Weights[i])).ToList());
    }

    public List<IRProgram> Programs { get; }

    public List<Dictionary<string, Tensor>> Weights { get; }

    public IReadOnlyList<CompiledProgram> Compiled { get; }

    public CompiledProgram Get(string name) => Compiled.First(c => c.Program.Name == name);
}

public class CompiledSamplesTests(CompiledSamplesFixture samples) : IClassFixture<CompiledSamplesFixture>
{
    [Theory]
    [InlineData("early_exit")]
    [InlineData("loop_break")]
    [InlineData("nested")]
    [InlineData("repeat")]
    [InlineData("cheap")]
    [InlineData("mlp")]
    [InlineData("irreducible")]
    [InlineData("dynamic_batch")]
    public void CompiledRunsAgreeWithTheInterpreter(string name)
    {
        var index = samples.Compiled.ToList().FindIndex(c => c.Program.Name == name);
        var compiled = samples.Compiled[index];
        var interpreter = new Interpreter();
        var paths = new HashSet<string>();
        for (var seed = 0; seed < 24; seed++)
        {
            var inputs = RandomData.Inputs(compiled.Program, new Random(seed), scale: 2f);
            var expected = interpreter.Run(compiled.Program, inputs, samples.Weights[index]);
            var actual = compiled.Run(inputs);
            var problem = Agreement.Compare(expected, actual, compiled.Partition);
            Assert.True(problem is null, $"@{name} seed {seed}: {problem}");
            paths.Add(string.Join(" ", actual.Path));
        }
        // The random thresholds and trip counts drive every program down more than one path
        // (except the straight-line ones), so both sides of the decisions were compared.
        if (compiled.Partition.Host.Count > 1) Assert.True(paths.Count > 1, $"@{name} always took the same path");
    }

    [Fact]
    public void TheRepeatedLayerIsCompiledOnceAndItsLoopBodyCalledEachIteration()
    {
        var compiled = samples.Get("repeat");
        Assert.Equal(2, compiled.Partition.Segments.Count);
        Assert.Single(compiled.Partition.Distinct);
        Assert.Single(compiled.Planned.Segments);
        var run = compiled.Run([RandomData.Tensor(new Random(1), IRType.F32(2, 6)), 4]);
        Assert.Equal(["entry", "header", "body", "header", "body", "header", "body", "header", "body", "header", "done"], run.Path);
    }

    [Fact]
    public void AnIfConvertedBranchLeavesNoHostDecision()
    {
        var compiled = samples.Get("cheap");
        Assert.Single(compiled.Partition.Host);
        Assert.DoesNotContain(compiled.Partition.Host, b => b.Terminator is Branch);
        // Both sides run and a select picks per element, in the segment.
        Assert.Contains(Plans.Steps(compiled), s => s is NodeStep { Node.Op: "where" } || (s is ElementwiseLoop l && l.Nodes.Any(n => n.Op == "where")));
    }

    [Fact]
    public void LoopsAndBranchesAreStructuredCSharp()
    {
        var loop = Plans.HostFlow(samples.Get("loop_break"));
        Assert.True(loop.IsReducible);
        Assert.Single(loop.LoopHeaders);
        var nested = Plans.HostFlow(samples.Get("nested"));
        Assert.True(nested.IsReducible);
        Assert.Contains(samples.Get("nested").Partition.Host, b => b.Terminator is Branch);
    }

    [Fact]
    public void AnIrreducibleHostProgramFallsBackToGoto()
    {
        var compiled = samples.Get("irreducible");
        Assert.False(Plans.HostFlow(compiled).IsReducible);
        // The cycle is entered at ^a (n > 2) and at ^b, and runs round it either way.
        var weights = samples.Weights[samples.Programs.FindIndex(p => p.Name == "irreducible")];
        var x = RandomData.Tensor(new Random(4), IRType.F32(2, 2));
        foreach (var n in new[] { 0, 2, 3, 6 })
        {
            var expected = new Interpreter().Run(compiled.Program, [x, n], weights);
            var actual = compiled.Run([x, n]);
            Assert.Null(Agreement.Compare(expected, actual, compiled.Partition));
        }
        Assert.Equal(["entry", "a", "b", "a", "b", "done"], compiled.Run([x, 6]).Path);
        Assert.Equal(["entry", "b", "done"], compiled.Run([x, 2]).Path);
    }

    [Fact]
    public void PassDumpsCoverEveryStage()
    {
        var dumps = samples.Get("early_exit").PassDumps.Select(d => d.Pass).ToList();
        Assert.Equal(["input", "verify", "fold-constants", "simplify-control-flow", "partition", "optimize-segments", "share-segments",
            "prepare-weights", "fuse", "plan-memory", "emit-csharp"], dumps);
        var dot = samples.Get("early_exit").Partition.ToDot();
        Assert.StartsWith("digraph \"early_exit\"", dot);
        Assert.Contains("\"entry\" -> \"deep\"", dot);
    }

    [Fact]
    public void TheSteadyStateCallAllocatesNothing()
    {
        var compiled = samples.Get("mlp");
        // The @scale row of the fused tanh/mul/maximum loop is read with period 16. (The second add
        // of @b1 is gone: the segment optimizer folds it into the linear layer's bias.)
        Assert.Contains(Plans.Steps(compiled).OfType<ElementwiseLoop>(), loop => loop.Inputs.Any(v => v.Type is TensorType { ElementCount: 16 } t && t.ElementCount < loop.Shape.ElementCount));
        using var host = compiled.OpenSession();
        var inputs = new object[] { RandomData.Tensor(new Random(3), IRType.F32(4, 16)) };
        var outputs = new object[1];
        host.RunInto(inputs, outputs); // first call: JIT, GEMM pack buffers
        host.RunInto(inputs, outputs);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++) host.RunInto(inputs, outputs);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        var expected = new Interpreter().Run(compiled.Program, inputs, samples.Weights[samples.Programs.FindIndex(p => p.Name == "mlp")]);
        Assert.Null(Agreement.Compare(expected, new RunResult(outputs, expected.Path, 0), compiled.Partition));
    }

    /// <summary>Every static-shaped sample, branches and loops included, runs its steady-state
    /// call in a session without allocating: path recording is off, outputs go to the session's
    /// preallocated buffers and host scalars are not boxed anew. Several inputs take different
    /// paths (trip counts, early exits), all warmed up first.</summary>
    [Theory]
    [InlineData("early_exit")]
    [InlineData("loop_break")]
    [InlineData("nested")]
    [InlineData("repeat")]
    [InlineData("cheap")]
    [InlineData("mlp")]
    [InlineData("irreducible")]
    public void SteadyStateCallsOfDynamicSamplesAllocateNothing(string name)
    {
        var compiled = samples.Get(name);
        var inputSets = Enumerable.Range(0, 6).Select(seed => RandomData.Inputs(compiled.Program, new Random(seed), scale: 2f)).ToList();
        var outputs = new object[compiled.Program.ResultTypes.Length];
        using var session = compiled.OpenSession();
        foreach (var inputs in inputSets)
            for (var i = 0; i < 3; i++) session.RunInto(inputs, outputs);
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var inputs in inputSets)
            for (var i = 0; i < 5; i++) session.RunInto(inputs, outputs);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        // The allocation-free call computes what the interpreter does.
        var weights = samples.Weights[samples.Programs.FindIndex(p => p.Name == name)];
        foreach (var inputs in inputSets)
        {
            session.RunInto(inputs, outputs);
            var expected = new Interpreter().Run(compiled.Program, inputs, weights);
            Assert.Null(Agreement.Compare(expected, new RunResult(outputs, Agreement.HostPath(compiled.Partition, expected.Path), 0), compiled.Partition));
        }
    }

    /// <summary>A product big enough for the blocked, multi-core GEMM (and a linear layer on the
    /// short path, split over cores) shares its work out without allocating: no closures, no
    /// per-call fork/join objects.</summary>
    [Fact]
    public void ALargeParallelGemmCallAllocatesNothing()
    {
        const string text = """
            program @big(%x: tensor<f32, [64, 128]>, %v: tensor<f32, [2, 1024]>) -> (tensor<f32, [64, 128]>, tensor<f32, [2, 1024]>) {
              weight @w : tensor<f32, [128, 128]>
              weight @lw : tensor<f32, [1024, 1024]>
              weight @lb : tensor<f32, [1024]>
            ^entry(%x: tensor<f32, [64, 128]>, %v: tensor<f32, [2, 1024]>):
              %y = matmul(%x, @w)
              %z = tanh(%y)
              %l = linear(%v, @lw, @lb)
              return %z, %l
            }
            """;
        var program = IRProgram.Parse(text);
        var weights = RandomData.Weights(program, 7);
        var compiled = JitCompiler.Compile(program, weights);
        // The product writes into a buffer: the weight operand is packed once (per weight tensor),
        // so the calls below allocate nothing.
        Assert.True(Plans.WritesIntoDestination(compiled, "matmul"));
        var inputs = RandomData.Inputs(program, new Random(4));
        var outputs = new object[2];
        using var session = compiled.OpenSession();
        for (var i = 0; i < 3; i++) session.RunInto(inputs, outputs);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++) session.RunInto(inputs, outputs);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        var expected = new Interpreter().Run(program, inputs, weights);
        Assert.Null(Agreement.Compare(expected, new RunResult(outputs, Agreement.HostPath(compiled.Partition, expected.Path), 0), compiled.Partition));
    }
}
