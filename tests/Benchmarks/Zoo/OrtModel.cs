using DyCompile.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>An exported model in an ONNX Runtime CPU session set up as a fair opponent on this
/// machine: one intra-op thread per core (the compiled code and the eager kernels use every core
/// too), one inter-op thread, every graph optimization on.</summary>
internal sealed class OrtModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    /// <param name="profilePrefix">When set, ONNX Runtime records every node's time into a JSON file
    /// starting with this path (see <see cref="EndProfiling"/>).</param>
    public OrtModel(byte[] model, IReadOnlyList<string> inputNames, string? profilePrefix = null)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (profilePrefix is not null)
        {
            // The prefix first: enabling passes the prefix set at that moment to ONNX Runtime, so
            // the other order writes the profile into the working directory.
            options.ProfileOutputPathPrefix = profilePrefix;
            options.EnableProfiling = true;
        }
        _session = new InferenceSession(model, options);
        _inputNames = [.. inputNames];
        _outputNames = [.. _session.OutputNames];
    }

    /// <summary>The inputs as ONNX Runtime values (made once per input, outside the timed calls).</summary>
    public static OrtValue[] ToOrt(object[] inputs) => inputs.Select(i => i switch
    {
        Tensor { DType: DType.Float32 } t => OrtValue.CreateTensorValueFromMemory(t.Floats.ToArray(), Shape(t)),
        Tensor { DType: DType.Int64 } t => OrtValue.CreateTensorValueFromMemory(t.Longs.ToArray(), Shape(t)),
        Tensor { DType: DType.Int32 } t => OrtValue.CreateTensorValueFromMemory(t.Ints.ToArray(), Shape(t)),
        float f => OrtValue.CreateTensorValueFromMemory(new[] { f }, []),
        int n => OrtValue.CreateTensorValueFromMemory(new[] { n }, []),
        bool b => OrtValue.CreateTensorValueFromMemory(new[] { b }, []),
        _ => throw new NotSupportedException($"input of type {i.GetType().Name}"),
    }).ToArray();

    private static long[] Shape(Tensor t) => t.ShapeArray().Select(d => (long)d).ToArray();

    public IDisposableReadOnlyCollection<OrtValue> Run(OrtValue[] inputs) => _session.Run(_runOptions, _inputNames, inputs, _outputNames);

    /// <summary>Stops profiling and returns the profile's file.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
