using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>A compiled model computes with the weights its instance holds now: a state dict
/// loaded after compiling (replacing the tensors) is used by the next call, weight-only work
/// (folded batch-norm, packed GEMM panels) included; a weight changed in place and marked with
/// <see cref="Tensor.MarkModified"/> is too.</summary>
public class WeightBindingTests
{
    [Fact]
    public void ALoadedStateDictIsUsedByTheNextCompiledCall()
    {
        var model = new TwoExitNet(new Random(5));
        var forward = DyCompiler.Compile<Func<Tensor, float, (Tensor, int)>>(model, [IRType.F32(1, 6), IRType.Float]);
        var compiled = DyCompiler.Compile(model, [IRType.F32(1, 6), IRType.Float]).Program!;
        var x = Tensor.FromArray([0.3f, -1.2f, 0.8f, 2f, -0.1f, 0.5f], 1, 6);
        AssertClose(model.Forward(x, 2f).Item1, forward(x, 2f).Item1);

        var checkpoint = SafeTensors.SaveToBytes(new TwoExitNet(new Random(77)).SaveStateDict());
        model.LoadStateDict(SafeTensors.Load(checkpoint));

        var (expected, exit) = model.Forward(x, 2f);
        var (actual, compiledExit) = forward(x, 2f);
        Assert.Equal(exit, compiledExit);
        AssertClose(expected, actual);
        AssertClose(expected, (Tensor)compiled.Run([x, 2f]).Outputs[0]);
        // Another model's checkpoint loaded elsewhere changes nothing here.
        new TwoExitNet(new Random(1)).LoadStateDict(SafeTensors.Load(checkpoint));
        AssertClose(expected, forward(x, 2f).Item1);
    }

    [Fact]
    public void ALoadedBatchNormIsFoldedAgain()
    {
        var model = new ConvBnNet(new Random(3));
        var forward = DyCompiler.Compile<Func<Tensor, Tensor>>(model, [IRType.F32(1, 2, 6, 6)]);
        var x = RandomData.Tensor(new Random(4), IRType.F32(1, 2, 6, 6));
        AssertClose(model.Forward(x), forward(x));
        var other = new ConvBnNet(new Random(8));
        other.Norm.RunningVar.Floats.Fill(0.25f);
        other.Norm.RunningMean.Floats.Fill(0.5f);
        model.LoadStateDict(SafeTensors.Load(SafeTensors.SaveToBytes(other.SaveStateDict())));
        AssertClose(model.Forward(x), forward(x));
    }

    [Fact]
    public void AWeightChangedInPlaceAndMarkedIsUsedByTheNextCall()
    {
        // A batch-norm folded into a conv (prepared), and a linear layer large enough for the
        // packed-weight GEMM: both are derived from weights once, and both must follow a marked change.
        var program = IRProgram.Parse("""
            program @inplace(%x: tensor<f32, [1, 2, 6, 6]>, %v: tensor<f32, [1, 512]>) -> (tensor<f32, [1, 2, 6, 6]>, tensor<f32, [1, 512]>) {
              weight @w : tensor<f32, [2, 2, 3, 3]>
              weight @b : tensor<f32, [2]>
              weight @m : tensor<f32, [2]>
              weight @var : tensor<f32, [2]>
              weight @g : tensor<f32, [2]>
              weight @be : tensor<f32, [2]>
              weight @lw : tensor<f32, [512, 512]>
              weight @lb : tensor<f32, [512]>
            ^entry(%x: tensor<f32, [1, 2, 6, 6]>, %v: tensor<f32, [1, 512]>):
              %c = conv2d(%x, @w, @b) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
              %n = batch_norm(%c, @m, @var, @g, @be) {eps = 0.00001}
              %r = relu(%n)
              %l = linear(%v, @lw, @lb)
              return %r, %l
            }
            """);
        var weights = RandomData.Weights(program, 5);
        foreach (var v in weights["var"].Floats.ToArray().Select((_, i) => i)) weights["var"].Floats[v] = 0.5f + v;
        var compiled = JitCompiler.Compile(program, weights);
        Assert.Contains(compiled.Planned.Segments, s => s.Preparation!.Nodes.Count > 0);
        Assert.True(Plans.WritesIntoDestination(compiled, "linear"));
        var inputs = RandomData.Inputs(program, new Random(6));
        var interpreter = new Interpreter();
        Assert.Null(Agreement.Compare(interpreter.Run(program, inputs, weights), compiled.Run(inputs), compiled.Partition));

        weights["var"].Floats.Fill(4f);
        weights["var"].MarkModified();
        weights["lw"].Floats[7] += 3f;
        weights["lw"].Floats[512 * 300 + 5] -= 2f;
        weights["lw"].MarkModified();
        Assert.Null(Agreement.Compare(interpreter.Run(program, inputs, weights), compiled.Run(inputs), compiled.Partition));
        using var session = compiled.OpenSession();
        var outputs = new object[2];
        session.RunInto(inputs, outputs);
        var expected = interpreter.Run(program, inputs, weights);
        Assert.Null(Agreement.Compare(expected, new RunResult(outputs, Agreement.HostPath(compiled.Partition, expected.Path), 0), compiled.Partition));
    }

    [Fact]
    public async Task ConcurrentCallsAcrossAStateDictLoadSeeOldOrNewWeightsNeverAMix()
    {
        var model = new TwoExitNet(new Random(5));
        var forward = DyCompiler.Compile<Func<Tensor, float, (Tensor, int)>>(model, [IRType.F32(1, 6), IRType.Float]);
        var x = Tensor.FromArray([0.3f, -1.2f, 0.8f, 2f, -0.1f, 0.5f], 1, 6);
        var states = new[] { model.SaveStateDict(), new TwoExitNet(new Random(77)).SaveStateDict() };
        var answers = states.Select(s => { model.LoadStateDict(s); return model.Forward(x, 2f).Item1; }).ToArray();
        using var stop = new CancellationTokenSource();
        var loader = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++) model.LoadStateDict(states[i % 2]);
        });
        var wrong = ConcurrentCallsTests.RunConcurrently(500, (_, _) =>
        {
            var y = forward(x, 2f).Item1;
            return answers.Any(a => Near(a, y));
        });
        stop.Cancel();
        await loader;
        Assert.Equal(0, wrong);
    }

    private static bool Near(Tensor expected, Tensor actual)
    {
        var e = expected.ToFloatArray();
        var a = actual.ToFloatArray();
        return e.Length == a.Length && e.Zip(a).All(p => Math.Abs(p.First - p.Second) <= 1e-5f * (1 + Math.Abs(p.First)));
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        var e = expected.ToFloatArray();
        var a = actual.ToFloatArray();
        for (var i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4f * (1 + Math.Abs(e[i])), $"element {i}: {a[i]} compiled, {e[i]} eager");
    }
}

/// <summary>conv → batch-norm → relu: the batch-norm is folded into the conv weights when compiled.</summary>
[DyCompile]
public sealed class ConvBnNet : Module
{
    private readonly Conv2d _conv;

    public ConvBnNet(Random g)
    {
        _conv = RegisterModule("conv", new Conv2d(2, 3, 3, padding: 1, generator: g));
        Norm = RegisterModule("norm", new BatchNorm2d(3));
    }

    public BatchNorm2d Norm { get; }

    public Tensor Forward(Tensor x) => Norm.Forward(_conv.Forward(x)).Relu();
}
