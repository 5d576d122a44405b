using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>A model compiled from its instance alone (source read through the test assembly's
/// PDB) into a delegate with its forward signature.</summary>
public class TypedForwardTests
{
    [Fact]
    public void TheTypedDelegateAgreesWithTheEagerForwardOnEveryPath()
    {
        var model = new TwoExitNet(new Random(5));
        var forward = DyCompiler.Compile<Func<Tensor, float, (Tensor, int)>>(model, [IRType.F32(1, 6), IRType.Float]);
        var rng = new Random(9);
        var exits = new HashSet<int>();
        for (var trial = 0; trial < 20; trial++)
        {
            var x = Tensor.FromArray(Enumerable.Range(0, 6).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray(), 1, 6);
            var threshold = (float)(0.34 + rng.NextDouble() * 0.3);
            var (expected, expectedExit) = model.Forward(x, threshold);
            var (actual, exit) = forward(x, threshold);
            exits.Add(expectedExit);
            Assert.Equal(expectedExit, exit);
            Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
            var e = expected.ToFloatArray();
            var a = actual.ToFloatArray();
            for (var i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5f * (1 + Math.Abs(e[i])), $"trial {trial}, element {i}: {a[i]} compiled, {e[i]} eager");
        }
        Assert.Equal(2, exits.Count);
    }

    [Fact]
    public void ResultsBelongToTheCallerAndBadInputsAreRefused()
    {
        var model = new TwoExitNet(new Random(5));
        var forward = DyCompiler.Compile<Func<Tensor, float, (Tensor, int)>>(model, [IRType.F32(1, 6), IRType.Float]);
        var first = forward(Tensor.Full(1f, 1, 6), 2f).Item1;
        var kept = first.ToFloatArray();
        forward(Tensor.Full(-1f, 1, 6), 2f);
        Assert.Equal(kept, first.ToFloatArray());

        var error = Assert.Throws<ArgumentException>(() => forward(Tensor.Full(1f, 2, 6), 2f));
        Assert.Contains("must be tensor<f32, [1, 6]>", error.Message);
    }

    [Fact]
    public void ADelegateOfTheWrongShapeIsRefusedWithTheOneThatFits()
    {
        var compiled = DyCompiler.Compile(new TwoExitNet(new Random(5)), [IRType.F32(1, 6), IRType.Float]);
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        var error = Assert.Throws<ArgumentException>(() => compiled.Program!.AsDelegate<Func<Tensor, Tensor>>());
        Assert.Contains("Func<Tensor, float, (Tensor, int)>", error.Message);
    }

    [Fact]
    public void AModelOutsideTheSubsetFailsWithItsDiagnostics()
    {
        var error = Assert.Throws<DyCompileException>(() => DyCompiler.Compile<Func<Tensor, Tensor>>(new AllocatingNet(), [IRType.F32(1, 6)]));
        var diagnostic = Assert.Single(error.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.Allocation, diagnostic.Id);
        Assert.EndsWith("TypedForwardTests.cs", diagnostic.File);
        Assert.Contains("DYC0107", error.Message);
    }

    [Fact]
    public void AModelWithoutReadableSourceSaysSo()
    {
        // A model built in memory has no file, so no PDB to read its source from.
        var models = ModelHarness.Compile(ModelHarness.Usings + """
            [DyCompile]
            public sealed class InMemory : Module
            {
                public Tensor Forward(Tensor x) => x.Relu();
            }
            """);
        var result = DyCompiler.Compile(models.Create("InMemory", 0), [IRType.F32(2)]);
        Assert.False(result.Succeeded);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.ModelSourceNotFound, diagnostic.Id);
        Assert.Contains("InMemory", diagnostic.Message);
    }
}

/// <summary>Stops after the first layer when its head is confident enough.</summary>
[DyCompile]
public sealed class TwoExitNet : Module
{
    private readonly Linear _first;
    private readonly Linear _head;
    private readonly Linear _second;

    public TwoExitNet(Random g)
    {
        _first = RegisterModule("first", new Linear(6, 6, generator: g));
        _head = RegisterModule("head", new Linear(6, 3, generator: g));
        _second = RegisterModule("second", new Linear(6, 6, generator: g));
    }

    public (Tensor, int) Forward(Tensor x, float threshold)
    {
        var h = _first.Forward(x).Relu();
        var probs = _head.Forward(h).Softmax(-1);
        if (probs.Max().Item() > threshold) return (probs, 1);
        return (_head.Forward(_second.Forward(h).Tanh()).Softmax(-1), 2);
    }
}

/// <summary>Allocates an array in its forward pass, which the compiled subset does not allow.</summary>
[DyCompile]
public sealed class AllocatingNet : Module
{
    public Tensor Forward(Tensor x)
    {
        var counts = new int[3];
        counts[0] = 1;
        return x.Relu();
    }
}
