using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>A transformer block compiled for the CPU computes what the interpreter does, runs
/// gelu inside a fused loop rather than as a step of its own, and in the steady state allocates
/// no tensor: layer norm, the batched matmul, the head split, kᵀ and softmax write into planned
/// buffers, and the weight operand of the linear layer is packed once, not on every call. Every
/// intermediate of the block is at least 16 KiB, so an eager kernel that allocates its result, or
/// a per-call pack of the weight, would show in the bytes a call allocates.</summary>
public class TransformerBlockTests
{
    private static IRProgram Block()
    {
        var pb = new ProgramBuilder("block");
        var x = pb.Input("x", IRType.F32(128, 64));
        var other = pb.Input("other", IRType.F32(32, 64));
        var w1 = pb.Weight("w1", IRType.F32(256, 64));
        var b1 = pb.Weight("b1", IRType.F32(256));
        var lnW = pb.Weight("ln_w", IRType.F32(64));
        var lnB = pb.Weight("ln_b", IRType.F32(64));
        var bias = pb.Weight("b2", IRType.F32(32));
        var b = pb.Entry;
        var n = b.Op("layer_norm", [x, lnW, lnB], new Attrs { { "eps", 1e-5f } });
        var h = b.Linear(n, w1, b1);
        h = b.Mul(b.Op("gelu", h), h);
        // An activation as a linear layer's weight: its values change every call.
        var mixed = b.Linear(n, other, bias);
        var heads = b.Op("transpose", [b.Reshape(h, 1, 128, 4, 64)], new Attrs { { "dim0", 1 }, { "dim1", 2 } });
        var scores = b.Op("matmul", heads, b.Op("transpose", [heads], new Attrs { { "dim0", -2 }, { "dim1", -1 } }));
        scores = b.Softmax(scores, -1);
        b.Return(scores, mixed);
        return pb.Build();
    }

    [Fact]
    public void TheBlockAgreesWithTheInterpreterFusesGeluAndAllocatesNothingPerCall()
    {
        var program = Block();
        var weights = RandomData.Weights(program, 11);
        var before = StepProfile.Counters.Count;
        var compiled = JitCompiler.Compile(program, weights, new CompileOptions { ProfileSteps = true, RecordPath = false });
        var counters = StepProfile.Counters.Skip(before).ToList();

        var inputs = RandomData.Inputs(program, new Random(2));
        var outputs = new object[2];
        using var session = compiled.OpenSession();
        for (var i = 0; i < 3; i++) session.RunInto(inputs, outputs);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++) session.RunInto(inputs, outputs);
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / 5;
        Assert.True(perCall < 128 * 32 * sizeof(float), $"a steady-state call allocates {perCall} bytes");

        var expected = new Interpreter().Run(program, inputs, weights);
        Assert.Null(Agreement.Compare(expected, new RunResult(outputs, Agreement.HostPath(compiled.Partition, expected.Path), 0), compiled.Partition));

        // Every step ran once per call; gelu ran inside a fused loop, never on its own.
        Assert.All(counters, c => Assert.Equal(8, c.Calls));
        Assert.Contains(counters, c => c.Label.StartsWith("loop [", StringComparison.Ordinal) && c.Label.Contains("gelu", StringComparison.Ordinal));
        Assert.DoesNotContain(counters, c => c.Label.StartsWith("gelu ", StringComparison.Ordinal));
        Assert.Contains(counters, c => c.Label.StartsWith("layer_norm ", StringComparison.Ordinal));
        Assert.Contains(counters, c => c.Label.StartsWith("softmax ", StringComparison.Ordinal));
    }
}
