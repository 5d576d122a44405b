using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Zoo.EarlyExit;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Tests;

/// <summary>ResNet56Sdn.Forward written out by hand as an IR program — what the frontend will
/// produce from the C# — with the model's state dict as the program weights (dotted names):
/// one block per stretch between internal classifiers, each ending in a branch on the
/// classifier's confidence to an exit block that returns (logits, exit index).</summary>
internal static class ResNet56SdnLowering
{
    public static Program Lower(ResNet56Sdn model)
    {
        var pb = new ProgramBuilder("resnet56_sdn");
        var size = model.Config.InputSize;
        var x = pb.Input("x", IRType.F32(1, 3, size, size));
        var weights = model.SaveStateDict().ToDictionary(kv => kv.Key, kv => pb.Weight(kv.Key, new TensorType(kv.Value.DType, kv.Value.ShapeArray())));
        var block = pb.Entry;
        var h = Relu(block, ConvBn(block, weights, "stem", model.Stem, x));
        var exit = 0;
        for (var i = 0; i < model.Blocks.Count; i++)
        {
            h = BasicBlock(block, weights, $"blocks.{i}", model.Blocks[i], h);
            if (exit < ResNet56Sdn.ExitBlocks.Count && ResNet56Sdn.ExitBlocks[exit] == i)
            {
                var logits = InternalClassifier(block, weights, $"exits.{exit}", model.Exits[exit], h);
                var confidence = block.Item(block.Max(block.Softmax(logits, 1), []));
                var confident = block.Host("ge", confidence, block.Const(model.Config.Threshold));
                var leave = pb.Block($"exit{exit}");
                var next = pb.Block($"after_exit{exit}");
                block.Branch(confident, leave, [logits], next, [h]);
                leave.Return(leave.Parameter($"logits{exit}", logits.Type), leave.Const(exit));
                h = next.Parameter($"h_after{exit}", h.Type);
                block = next;
                exit++;
            }
        }
        var pooled = block.Reshape(block.Op("adaptive_avg_pool2d", [h], new Attrs { { "outputSize", new[] { 1, 1 } } }), 1, -1);
        block.Return(block.Linear(pooled, weights["classifier.weight"], weights["classifier.bias"]), block.Const(exit));
        return pb.Build();
    }

    private static Value Relu(BlockBuilder b, Value x) => b.Relu(x);

    private static Value ConvBn(BlockBuilder b, Dictionary<string, Value> w, string prefix, ConvBn module, Value x)
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

    private static Value BasicBlock(BlockBuilder b, Dictionary<string, Value> w, string prefix, BasicBlock module, Value x)
    {
        var body = ConvBn(b, w, $"{prefix}.conv2", module.Second, b.Relu(ConvBn(b, w, $"{prefix}.conv1", module.First, x)));
        var shortcut = module.Shortcut is null ? x : ConvBn(b, w, $"{prefix}.shortcut", module.Shortcut, x);
        return b.Relu(b.Add(body, shortcut));
    }

    private static Value InternalClassifier(BlockBuilder b, Dictionary<string, Value> w, string prefix, InternalClassifier module, Value x)
    {
        var side = ((TensorType)x.Type).Shape[^1];
        if (side >= 4)
        {
            var pool = side / 4;
            var window = new Attrs { { "kernelSize", new[] { pool, pool } }, { "stride", new[] { pool, pool } }, { "padding", new[] { 0, 0 } } };
            var alpha = w[$"{prefix}.alpha"];
            var max = b.Op("max_pool2d", [x], window);
            var avg = b.Op("avg_pool2d", [x], window.Clone());
            x = b.Add(b.Mul(alpha, max), b.Mul(b.Sub(b.Const(IRType.F32(), [1.0]), alpha), avg));
        }
        return b.Linear(b.Reshape(x, 1, -1), w[$"{prefix}.linear.weight"], w[$"{prefix}.linear.bias"]);
    }
}
