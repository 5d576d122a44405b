using DyCompile.Backends.Onnx;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Backends.Tests;

/// <summary>Runs an exported program with ONNX Runtime, taking and giving values as the
/// interpreter does (tensors and host int/float/bool).</summary>
internal static class OrtRunner
{
    public static IReadOnlyList<object> Run(IRProgram program, IReadOnlyDictionary<string, Tensor> weights, IReadOnlyList<object> inputs, HostCallbacks? callbacks = null)
    {
        var bytes = OnnxExporter.ExportBytes(program, weights, callbacks);
        using var ort = new InferenceSession(bytes);
        var values = inputs.Select(ToOrt).ToList();
        try
        {
            using var options = new RunOptions();
            // A run that a rounding difference sends round a loop forever is stopped, not waited for.
            using var watchdog = new Timer(_ => options.Terminate = true, null, 20_000, Timeout.Infinite);
            var outputNames = Enumerable.Range(0, program.ResultTypes.Length).Select(i => $"result{i}").ToList();
            using var results = ort.Run(options, program.Inputs.Select(i => i.Name).ToList(), values, outputNames);
            return results.Select((r, i) => FromOrt(r, program.ResultTypes[i])).ToList();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static OrtValue ToOrt(object value) => value switch
    {
        Tensor t => t.DType switch
        {
            DType.Float32 => OrtValue.CreateTensorValueFromMemory(t.Floats.ToArray(), Shape(t)),
            DType.Int32 => OrtValue.CreateTensorValueFromMemory(t.Ints.ToArray(), Shape(t)),
            DType.Int64 => OrtValue.CreateTensorValueFromMemory(t.Longs.ToArray(), Shape(t)),
            _ => OrtValue.CreateTensorValueFromMemory(t.Bools.ToArray(), Shape(t)),
        },
        int i => OrtValue.CreateTensorValueFromMemory(new[] { i }, []),
        float f => OrtValue.CreateTensorValueFromMemory(new[] { f }, []),
        bool b => OrtValue.CreateTensorValueFromMemory(new[] { b }, []),
        _ => throw new ArgumentException($"cannot pass {value.GetType().Name} to ONNX Runtime"),
    };

    private static long[] Shape(Tensor t) => t.ShapeArray().Select(d => (long)d).ToArray();

    private static object FromOrt(OrtValue value, IRType type)
    {
        var shape = value.GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray();
        return type switch
        {
            ScalarType { Kind: ScalarKind.Int } => value.GetTensorDataAsSpan<int>()[0],
            ScalarType { Kind: ScalarKind.Float } => value.GetTensorDataAsSpan<float>()[0],
            ScalarType => value.GetTensorDataAsSpan<bool>()[0],
            TensorType { DType: DType.Float32 } => Tensor.FromArray(value.GetTensorDataAsSpan<float>().ToArray(), shape),
            TensorType { DType: DType.Int32 } => Tensor.FromArray(value.GetTensorDataAsSpan<int>().ToArray(), shape),
            TensorType { DType: DType.Int64 } => Tensor.FromArray(value.GetTensorDataAsSpan<long>().ToArray(), shape),
            _ => Tensor.FromArray(value.GetTensorDataAsSpan<bool>().ToArray(), shape),
        };
    }
}

/// <summary>Interpreter ≡ ONNX Runtime, value by value.</summary>
internal static class Agreement
{
    public static RunResult Check(IRProgram program, IReadOnlyDictionary<string, Tensor> weights, IReadOnlyList<object> inputs, float tolerance = 1e-4f) =>
        Check(program, weights, inputs, HostCallbacks.None, tolerance);

    public static RunResult Check(IRProgram program, IReadOnlyDictionary<string, Tensor> weights, IReadOnlyList<object> inputs, HostCallbacks callbacks, float tolerance = 1e-4f)
    {
        var expected = new Interpreter(new InterpreterOptions { RecordPath = true, Callbacks = callbacks }).Run(program, inputs, weights);
        var actual = OrtRunner.Run(program, weights, inputs, callbacks);
        Assert.Equal(expected.Outputs.Count, actual.Count);
        for (var i = 0; i < actual.Count; i++) AssertClose(expected.Outputs[i], actual[i], tolerance, $"result {i} of @{program.Name}");
        return expected;
    }

    public static void AssertClose(object expected, object actual, float tolerance, string what)
    {
        switch (expected)
        {
            case Tensor e:
            {
                var a = Assert.IsType<Tensor>(actual);
                Assert.True(e.DType == a.DType, $"{what}: dtype {a.DType} from ONNX Runtime, {e.DType} from the interpreter");
                Assert.True(e.Shape.SequenceEqual(a.Shape), $"{what}: shape {Shapes.Format(a.Shape)} from ONNX Runtime, {Shapes.Format(e.Shape)} from the interpreter");
                for (var k = 0; k < e.Length; k++)
                {
                    double x = e.GetAsDouble(k), y = a.GetAsDouble(k);
                    Assert.True(Close(x, y, tolerance), $"{what}: element {k} is {y} from ONNX Runtime, {x} from the interpreter");
                }
                break;
            }
            case float f:
                Assert.True(Close(f, Assert.IsType<float>(actual), tolerance), $"{what}: {actual} from ONNX Runtime, {f} from the interpreter");
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }

    private static bool Close(double x, double y, float tolerance) =>
        (double.IsNaN(x) && double.IsNaN(y)) || x == y || Math.Abs(x - y) <= tolerance * (1 + Math.Abs(x));
}
