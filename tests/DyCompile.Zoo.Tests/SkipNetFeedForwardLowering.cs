using DyCompile.IR;
using DyCompile.Zoo.Skipping;

namespace DyCompile.Zoo.Tests;

/// <summary>SkipNetFeedForward.Forward written out as IR: after the first block, each block is an
/// if/else diamond — ^run_i applies the block, ^skip_i its shortcut — meeting at ^join_i, with
/// the branch on the gate's softmax[:, 1] &gt; 0.5.</summary>
internal static class SkipNetFeedForwardLowering
{
    public static IRProgram Lower(SkipNetFeedForward model, int inputSize)
    {
        var pb = new ProgramBuilder("skipnet_ffgate");
        var x = pb.Input("x", IRType.F32(1, 3, inputSize, inputSize));
        var w = ZooLowering.DeclareWeights(pb, model);
        var block = pb.Entry;
        var h = block.Relu(ZooLowering.ConvBn(block, w, "stem", model.Stem, x));
        h = ZooLowering.BasicBlock(block, w, "blocks.0", model.Blocks[0], h);
        for (var i = 1; i < model.Blocks.Count; i++)
        {
            var gate = $"gates.{i - 1}";
            var g = block.Op("max_pool2d", [h], new Attrs { { "kernelSize", new[] { 2, 2 } }, { "stride", new[] { 2, 2 } }, { "padding", new[] { 0, 0 } } });
            g = block.Relu(ZooLowering.ConvBn(block, w, $"{gate}.conv", model.Gates[i - 1].Conv, g));
            var logits = block.Op("conv2d", [ZooLowering.GlobalAveragePool(block, g), w[$"{gate}.logits.weight"], w[$"{gate}.logits.bias"]],
                new Attrs { { "stride", new[] { 1, 1 } }, { "padding", new[] { 0, 0 } }, { "dilation", new[] { 1, 1 } }, { "groups", 1 } });
            var runProbability = block.Op("slice", [block.Softmax(block.Reshape(logits, 1, 2), 1)],
                new Attrs { { "dim", 1 }, { "start", 1 }, { "end", 2 }, { "step", 1 } });
            var run = block.Host("gt", block.Item(runProbability), block.Const(0.5f));

            var runBlock = pb.Block($"run_{i}");
            var skipBlock = pb.Block($"skip_{i}");
            var join = pb.Block($"join_{i}");
            block.Branch(run, runBlock, [h], skipBlock, [h]);
            var hr = runBlock.Parameter($"h_run_{i}", h.Type);
            var hs = skipBlock.Parameter($"h_skip_{i}", h.Type);
            var ran = ZooLowering.BasicBlock(runBlock, w, $"blocks.{i}", model.Blocks[i], hr);
            runBlock.Jump(join, ran);
            var skipped = ZooLowering.Bypass(skipBlock, w, $"blocks.{i}", model.Blocks[i], hs);
            skipBlock.Jump(join, skipped);
            h = join.Parameter($"h_{i}", ran.Type);
            block = join;
        }
        var pooled = block.Reshape(ZooLowering.GlobalAveragePool(block, h), 1, -1);
        block.Return(block.Linear(pooled, w["classifier.weight"], w["classifier.bias"]));
        return pb.Build();
    }
}
