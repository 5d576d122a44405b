using DyCompile.Backends.Onnx;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Backends.Tests;

/// <summary>A dispatch on a run-time index, as the frontend lowers a module list indexed by an
/// int, with a trap where the index is out of range. Exported, it agrees with the interpreter on
/// every valid index, and an invalid one makes ONNX Runtime fail instead of computing something.</summary>
public class TrapExportTests
{
    private static HostCallbacks Callbacks()
    {
        var callbacks = new HostCallbacks();
        callbacks.Add("TrapExportTests.print", _ => { });
        callbacks.AddTrap("TrapExportTests.experts[index]",
            values => throw new ArgumentOutOfRangeException("index", values[0], "index is outside 'experts' (2 elements)"));
        return callbacks;
    }

    /// <summary>The numbers of the two callbacks in <see cref="Callbacks"/>.</summary>
    private const int Print = 0, Trap = 1;

    private static string Dispatch(int callee) => $$"""
        program @dispatch(%x: tensor<f32, [1, 4]>, %k: int) -> (tensor<f32, [1, 3]>) {
          weight @w0 : tensor<f32, [3, 4]>
          weight @w1 : tensor<f32, [3, 4]>
          weight @b : tensor<f32, [3]>
        ^entry(%x: tensor<f32, [1, 4]>, %k: int):
          %zero = const 0 : int
          %is0 = host.eq(%k, %zero) : bool
          branch %is0, ^arm0(%x), ^test1(%x, %k)
        ^arm0(%x0: tensor<f32, [1, 4]>):
          %y0 = linear(%x0, @w0, @b) : tensor<f32, [1, 3]>
          jump ^join(%y0)
        ^test1(%x1: tensor<f32, [1, 4]>, %k1: int):
          %one = const 1 : int
          %is1 = host.eq(%k1, %one) : bool
          branch %is1, ^arm1(%x1), ^trap(%x1, %k1)
        ^trap(%xt: tensor<f32, [1, 4]>, %kt: int):
          %callee = const {{callee}} : int
          %done = host.call(%callee, %kt) : int
          jump ^arm1(%xt)
        ^arm1(%xa: tensor<f32, [1, 4]>):
          %y1 = linear(%xa, @w1, @b) : tensor<f32, [1, 3]>
          jump ^join(%y1)
        ^join(%y: tensor<f32, [1, 3]>):
          %r = relu(%y) : tensor<f32, [1, 3]>
          return %r
        }
        """;

    [Fact]
    public void ValidIndicesAgreeAndAnInvalidOneFailsInOnnxRuntime()
    {
        var program = IRProgram.Parse(Dispatch(Trap));
        var callbacks = Callbacks();
        var rng = new Random(2);
        Tensor Random(params int[] shape) => Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(), shape);
        var weights = new Dictionary<string, Tensor> { ["w0"] = Random(3, 4), ["w1"] = Random(3, 4), ["b"] = Random(3) };
        var x = Random(1, 4);

        foreach (var k in new[] { 0, 1 })
            Agreement.Check(program, weights, [x, k], callbacks);

        var eager = Assert.ThrowsAny<Exception>(() => new Interpreter(new InterpreterOptions { Callbacks = callbacks }).Run(program, [x, 2], weights));
        Assert.Contains("outside 'experts'", eager.ToString());
        foreach (var k in new[] { 2, -1 })
        {
            var failure = Assert.Throws<OnnxRuntimeException>(() => OrtRunner.Run(program, weights, [x, k], callbacks));
            Assert.Contains("Gather", failure.Message);
        }
    }

    [Fact]
    public void OtherHostCallsStillCannotBeExported()
    {
        var program = IRProgram.Parse(Dispatch(Print));
        var weights = program.Weights.ToDictionary(w => w.Name, w => Tensor.Zeros(((TensorType)w.Type).Shape.ToArray()));
        var error = Assert.Throws<OnnxExportException>(() => OnnxExporter.ExportBytes(program, weights, Callbacks()));
        Assert.Contains("host.call", error.Message);
    }
}
