using DyCompile.Backends.Gpu;
using DyCompile.Compiler.Tests.Jit;
using DyCompile.IR;
using DyCompile.IR.Tests;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using Xunit.Abstractions;

namespace DyCompile.Gpu.Tests;

/// <summary>Random well-formed programs (loops, branches, host scalars, every kind of elementwise
/// op, casts, constants, views) compiled for the device agree with the interpreter. A program
/// whose ops this build has no device kernel for must be refused at compile time, naming the op.</summary>
public class RandomProgramTests(ITestOutputHelper output)
{
    private const int Programs = 12;

    [Fact]
    public void RandomProgramsAgreeWithTheInterpreter()
    {
        var ran = 0;
        var refused = new Dictionary<string, int>();
        for (var seed = 0; seed < Programs; seed++)
        {
            var program = RandomPrograms.Generate(seed, 8 + seed % 24);
            var weights = RandomData.Weights(program, seed);
            CompiledProgram compiled;
            try
            {
                compiled = GpuCompile.Compile(program, weights, GpuCompile.Options with { LoopIterationLimit = 200 });
            }
            catch (GpuUnsupportedOpException e)
            {
                // Only an op this build really lacks may be refused (a block the partition drops may hold more).
                Assert.Contains(e.Op, GpuCompile.MissingOps(program));
                refused[e.Op] = refused.GetValueOrDefault(e.Op) + 1;
                continue;
            }
            using var _ = compiled;
            for (var run = 0; run < 3; run++)
            {
                var inputs = RandomData.Inputs(program, new Random(seed * 7 + run), scale: 2f);
                RunResult expected;
                try
                {
                    expected = new Interpreter(new InterpreterOptions { StepLimit = 2000 }).Run(program, inputs, weights);
                }
                catch (InterpreterException e) when (e.Message.StartsWith("step limit", StringComparison.Ordinal))
                {
                    // A random back edge may loop forever: the compiled program must stop too.
                    Assert.Throws<LoopStoppedException>(() => compiled.Run(inputs));
                    continue;
                }
                var problem = Agreement.Compare(expected, compiled.Run(inputs), compiled.Partition);
                Assert.True(problem is null, $"seed {seed} run {run}: {problem}\n{IRPrinter.Print(program)}");
            }
            ran++;
        }
        output.WriteLine($"{ran} program(s) ran on the device; refused for a missing op kernel: {string.Join(", ", refused.Select(p => $"{p.Key} × {p.Value}"))}");
        Assert.True(ran >= 5, $"only {ran} of {Programs} random programs need no op kernel beyond this build's");
    }
}
