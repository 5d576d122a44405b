using DyCompile.IR;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Tests;

/// <summary>IR for the zoo's shared layers, written out as the frontend would lower their
/// Forward methods; weights are the model's state dict entries under their dotted names.</summary>
internal static class ZooLowering
{
    public static Dictionary<string, Value> DeclareWeights(ProgramBuilder pb, Module model) =>
        model.SaveStateDict().ToDictionary(kv => kv.Key, kv => pb.Weight(kv.Key, new TensorType(kv.Value.DType, kv.Value.ShapeArray())));

    public static Value ConvBn(BlockBuilder b, Dictionary<string, Value> w, string prefix, ConvBn module, Value x)
    {
        var conv = module.Conv;
        var bias = w.TryGetValue($"{prefix}.conv.bias", out var own) ? own : b.Const(IRType.F32(conv.OutChannels), new double[conv.OutChannels]);
        var y = b.Op("conv2d", [x, w[$"{prefix}.conv.weight"], bias], new Attrs
        {
            { "stride", conv.Stride }, { "padding", conv.Padding }, { "dilation", conv.Dilation }, { "groups", conv.Groups },
        });
        return b.Op("batch_norm", [y, w[$"{prefix}.bn.running_mean"], w[$"{prefix}.bn.running_var"], w[$"{prefix}.bn.weight"], w[$"{prefix}.bn.bias"]],
            new Attrs { { "eps", module.Bn.Eps } });
    }

    public static Value BasicBlock(BlockBuilder b, Dictionary<string, Value> w, string prefix, BasicBlock module, Value x)
    {
        var body = ConvBn(b, w, $"{prefix}.conv2", module.Second, b.Relu(ConvBn(b, w, $"{prefix}.conv1", module.First, x)));
        return b.Relu(b.Add(body, Bypass(b, w, prefix, module, x)));
    }

    /// <summary>What a skipped basic block leaves: its shortcut applied to the input.</summary>
    public static Value Bypass(BlockBuilder b, Dictionary<string, Value> w, string prefix, BasicBlock module, Value x) =>
        module.Shortcut is null ? x : ConvBn(b, w, $"{prefix}.shortcut", module.Shortcut, x);

    public static Value GlobalAveragePool(BlockBuilder b, Value x) =>
        b.Op("adaptive_avg_pool2d", [x], new Attrs { { "outputSize", new[] { 1, 1 } } });
}
