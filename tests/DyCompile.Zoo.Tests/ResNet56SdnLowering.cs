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
    public static IRProgram Lower(ResNet56Sdn model)
    {
        var pb = new ProgramBuilder("resnet56_sdn");
        var size = model.Config.InputSize;
        var x = pb.Input("x", IRType.F32(1, 3, size, size));
        var weights = ZooLowering.DeclareWeights(pb, model);
        var block = pb.Entry;
        var h = block.Relu(ZooLowering.ConvBn(block, weights, "stem", model.Stem, x));
        var exit = 0;
        for (var i = 0; i < model.Blocks.Count; i++)
        {
            h = ZooLowering.BasicBlock(block, weights, $"blocks.{i}", model.Blocks[i], h);
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
