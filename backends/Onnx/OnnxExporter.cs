using DyCompile.Backends.Onnx.Proto;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using Google.Protobuf;

namespace DyCompile.Backends.Onnx;

/// <summary>Exports an IR <see cref="IRProgram"/> as an ONNX model (opset 17): the program inputs
/// become graph inputs (a host scalar as a 0-d tensor), the weights initializers, the results
/// graph outputs <c>result0</c>, <c>result1</c>, …; control flow becomes nested <c>If</c> and
/// <c>Loop</c> nodes (see <see cref="StructuredEmitter"/>).
/// <code>
/// byte[] model = OnnxExporter.ExportBytes(program, weights);
/// using var ort = new InferenceSession(model);   // ONNX Runtime
/// </code>
/// Throws <see cref="OnnxExportException"/> for an op without an ONNX mapping (naming the op and
/// the value) and for control flow that is not structured (naming the block).</summary>
public static class OnnxExporter
{
    /// <summary>ONNX IR version 8 goes with opset 17.</summary>
    public const long IRVersion = 8;

    /// <param name="callbacks">The program's host callbacks (<c>LoweringResult.Callbacks</c>): a
    /// <c>host.call</c> of one of its traps becomes a run-time failure; any other <c>host.call</c>
    /// cannot be exported.</param>
    public static ModelProto Export(IRProgram program, IReadOnlyDictionary<string, Tensor> weights, HostCallbacks? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(weights);
        var names = new OnnxNames();
        var g = new OnnxGraphBuilder(names, program.Name);

        var inputs = new List<string>();
        foreach (var input in program.Inputs)
        {
            names.Reserve(input.Name);
            g.Input(input.Name, input.Type, withShape: true);
            inputs.Add(input.Name);
        }
        var weightNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var w in program.Weights)
        {
            if (!weights.TryGetValue(w.Name, out var value))
                throw new OnnxExportException($"weight @{w.Name} : {w.Type} was not supplied");
            if (w.Type is not TensorType t || !t.Accepts(value.DType, value.Shape))
                throw new OnnxExportException($"weight @{w.Name} must be {w.Type}, got a {value.DType.ShortName()} tensor of shape {Shapes.Format(value.Shape)}");
            var name = names.Fresh(w.Name);
            weightNames[w.Name] = name;
            g.Graph.Initializer.Add(OnnxTypes.FromTensor(name, value));
        }

        var results = new StructuredEmitter(program, names, weightNames, callbacks ?? HostCallbacks.None).EmitProgram(g, inputs);
        for (var i = 0; i < results.Count; i++)
        {
            var output = names.Fresh($"result{i}");
            g.Graph.Node.Add(new NodeProto { OpType = "Identity", Name = names.Fresh($"n_result{i}"), Input = { results[i] }, Output = { output } });
            g.Output(output, program.ResultTypes[i], withShape: true);
        }

        return new ModelProto
        {
            IrVersion = IRVersion,
            ProducerName = "DyCompile",
            Graph = g.Graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = OnnxOpset.Version } },
        };
    }

    /// <summary>The serialized model, as <c>InferenceSession</c> or a .onnx file takes it.</summary>
    public static byte[] ExportBytes(IRProgram program, IReadOnlyDictionary<string, Tensor> weights, HostCallbacks? callbacks = null) =>
        Export(program, weights, callbacks).ToByteArray();
}
