using System.Runtime.CompilerServices;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Recompiling in a loop does not grow the process: each compiled program's code is
/// unloaded when it is disposed, or when it is no longer reachable.</summary>
public class UnloadTests
{
    private const int Recompiles = 20;

    [Fact]
    public void DisposedProgramsAreUnloaded()
    {
        var assemblies = CompileRunAndDrop(dispose: true);
        Assert.Equal(0, LiveAfterCollecting(assemblies));
    }

    [Fact]
    public void UnreachableProgramsAreUnloadedWithoutDispose()
    {
        var assemblies = CompileRunAndDrop(dispose: false);
        Assert.Equal(0, LiveAfterCollecting(assemblies));
    }

    [Fact]
    public void ADisposedProgramRefusesCallsAndProgramsCompiledWithItStayUsable()
    {
        var programs = new[] { SamplePrograms.StaticMlp, SamplePrograms.EarlyExit }.Select(IRProgram.Parse).ToList();
        var weights = programs.Select((p, i) => RandomData.Weights(p, i)).ToList();
        var compiled = JitCompiler.CompileMany(programs.Select((p, i) => (p, (IReadOnlyDictionary<string, Tensor>?)weights[i])).ToList());
        var inputs = RandomData.Inputs(programs[1], new Random(1));
        compiled[0].Dispose();
        Assert.Throws<ObjectDisposedException>(() => compiled[0].Run(RandomData.Inputs(programs[0], new Random(1))));
        Assert.Throws<ObjectDisposedException>(() => compiled[0].OpenSession());
        var expected = new Interpreter().Run(programs[1], inputs, weights[1]);
        Assert.Null(Agreement.Compare(expected, compiled[1].Run(inputs), compiled[1].Partition));
        compiled[1].Dispose();
        compiled[1].Dispose();
    }

    /// <summary>Compiles, calls (through every entry point) and drops a program
    /// <see cref="Recompiles"/> times; returns weak references to the generated assemblies.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> CompileRunAndDrop(bool dispose)
    {
        var program = IRProgram.Parse(SamplePrograms.LoopWithBreak);
        var weights = RandomData.Weights(program, 3);
        var inputs = RandomData.Inputs(program, new Random(3));
        var assemblies = new List<WeakReference>();
        for (var i = 0; i < Recompiles; i++)
            assemblies.Add(CompileAndRun(program, weights, inputs, dispose));
        return assemblies;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CompileAndRun(IRProgram program, Dictionary<string, Tensor> weights, object[] inputs, bool dispose)
    {
        var compiled = JitCompiler.Compile(program, weights);
        compiled.Run(inputs);
        compiled.RunInto(inputs, new object[program.ResultTypes.Length]);
        using (var session = compiled.OpenSession()) session.RunInto(inputs, new object[program.ResultTypes.Length]);
        var assembly = new WeakReference(compiled.GeneratedAssembly);
        if (dispose) compiled.Dispose();
        return assembly;
    }

    private static int LiveAfterCollecting(List<WeakReference> assemblies)
    {
        // Unloading takes a few collections: the program and its load context first, then the code.
        for (var i = 0; i < 20 && assemblies.Any(a => a.IsAlive); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return assemblies.Count(a => a.IsAlive);
    }
}
