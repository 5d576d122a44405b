using DyCompile.Passes.Fusion;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Values whose shape is only known at run time (<c>?</c> dims) — a sequence that grows by
/// one token per loop iteration — get no planned buffer and no caller-owned destination: their
/// ops run through the allocating eager kernels, the static ops around them stay allocation-free,
/// and the compiled program agrees with the interpreter.</summary>
public class DynamicDimTests
{
    /// <summary>A generation loop: each step transforms the state, appends its argmax as a token to
    /// the sequence (a loop-carried <c>[1, ?]</c> block parameter) and stops at the step limit or
    /// when the state's max passes the threshold.</summary>
    public const string GrowingSequence = """
        program @grow(%x: tensor<f32, [1, 4]>, %seq: tensor<i64, [1, ?]>, %n: int, %thr: float) -> (tensor<i64, [1, ?]>, tensor<f32, [1, 4]>, int) {
          weight @w : tensor<f32, [4, 4]>
        ^entry(%x: tensor<f32, [1, 4]>, %seq: tensor<i64, [1, ?]>, %n: int, %thr: float):
          %zero = const 0 : int
          jump ^header(%x, %seq, %zero, %n, %thr)
        ^header(%h: tensor<f32, [1, 4]>, %s: tensor<i64, [1, ?]>, %i: int, %hn: int, %ht: float):
          %more = host.lt(%i, %hn)
          branch %more, ^body(%h, %s, %i, %hn, %ht), ^done(%s, %h, %i)
        ^body(%hb: tensor<f32, [1, 4]>, %sb: tensor<i64, [1, ?]>, %ib: int, %bn: int, %bt: float):
          %mm = matmul(%hb, @w)
          %h2 = tanh(%mm)
          %tok = argmax(%h2) {dim = 1, keepdim = true}
          %s2 = concat(%sb, %tok) {dim = 1}
          %m = max(%h2) {dims = [], keepdim = false}
          %v = item(%m)
          %one = const 1 : int
          %i2 = host.add(%ib, %one)
          %stop = host.gt(%v, %bt)
          branch %stop, ^done(%s2, %h2, %i2), ^header(%h2, %s2, %i2, %bn, %bt)
        ^done(%out: tensor<i64, [1, ?]>, %hd: tensor<f32, [1, 4]>, %k: int):
          return %out, %hd, %k
        }
        """;

    [Fact]
    public void AGrowingLoopCarriedSequenceCompilesAndAgreesWithTheInterpreter()
    {
        var program = IRProgram.Parse(GrowingSequence);
        Assert.Empty(Verifier.Errors(program));
        var weights = RandomData.Weights(program, 3);
        var compiled = JitCompiler.Compile(program, weights);

        // No planned buffer and no destination for the dynamic sequence; the static state keeps both.
        foreach (var d in compiled.Partition.Distinct)
        {
            var memory = compiled.Planned[d].Memory!;
            Assert.All(memory.BufferOf.Keys, v => Assert.True(((TensorType)v.Type).IsStatic, $"%{v.Name} : {v.Type} has a planned buffer"));
            Assert.All(memory.Buffers, b => Assert.DoesNotContain(TensorType.Dynamic, b.Shape));
        }
        // The growing concat has no destination: it runs the eager kernel, which sizes its result.
        Assert.Contains(compiled.Planned.Segments, s => s.Steps!.OfType<NodeStep>().Any(step => step.Node.Op == "concat" && !s.IntoDestination!.Contains(step.Node.Result)));

        var interpreter = new Interpreter();
        var lengths = new HashSet<int>();
        for (var seed = 0; seed < 16; seed++)
        {
            var rng = new Random(seed);
            var start = Tensor.FromArray(Enumerable.Range(0, seed % 3).Select(_ => (long)rng.Next(4)).ToArray(), 1, seed % 3);
            object[] inputs = [RandomData.Tensor(rng, IRType.F32(1, 4), 2f), start, rng.Next(0, 7), (float)(rng.NextDouble() * 0.8 + 0.2)];
            var expected = interpreter.Run(program, inputs, weights);
            var actual = compiled.Run(inputs);
            Assert.Null(Agreement.Compare(expected, actual, compiled.Partition));
            lengths.Add(((Tensor)actual.Outputs[0]).Shape[1]);
        }
        Assert.True(lengths.Count > 2, "the sequences did not grow to different lengths");
    }
}
