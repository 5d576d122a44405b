using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

/// <summary>The interpreter on tensor programs, against the same logic written as plain C#
/// over the runtime kernels.</summary>
public class InterpreterKernelTests
{
    // A weight-tied early-exit network: each pass applies one layer, then a classifier head; it
    // stops as soon as the head is confident enough, or after %limit passes.
    internal const string EarlyExitNet = """
        program @early_exit_net(%x: tensor<f32, [1, 8]>, %threshold: float, %limit: int) -> (tensor<f32, [1, 4]>, int, bool) {
          weight @w : tensor<f32, [8, 8]>
          weight @b : tensor<f32, [8]>
          weight @head_w : tensor<f32, [4, 8]>
          weight @head_b : tensor<f32, [4]>
        ^entry(%x: tensor<f32, [1, 8]>, %threshold: float, %limit: int):
          %zero = const 0 : int
          jump ^layer(%x, %zero, %threshold, %limit)
        ^layer(%h: tensor<f32, [1, 8]>, %i: int, %thr: float, %lim: int):
          %a = linear(%h, @w, @b)
          %h2 = relu(%a)
          %logits = linear(%h2, @head_w, @head_b)
          %probs = softmax(%logits) {dim = -1}
          %top = max(%probs) {dims = [], keepdim = false}
          %confidence = item(%top)
          %one = const 1 : int
          %i2 = host.add(%i, %one)
          %confident = host.ge(%confidence, %thr)
          branch %confident, ^early(%logits, %i2), ^check(%h2, %logits, %i2, %thr, %lim)
        ^check(%h3: tensor<f32, [1, 8]>, %l3: tensor<f32, [1, 4]>, %i3: int, %thr3: float, %lim3: int):
          %done = host.ge(%i3, %lim3)
          branch %done, ^exhausted(%l3, %i3), ^layer(%h3, %i3, %thr3, %lim3)
        ^early(%le: tensor<f32, [1, 4]>, %de: int):
          %yes = const true : bool
          return %le, %de, %yes
        ^exhausted(%lx: tensor<f32, [1, 4]>, %dx: int):
          %no = const false : bool
          return %lx, %dx, %no
        }
        """;

    private static Tensor Random(Random rng, float scale, params int[] shape)
    {
        var data = new float[Shapes.ElementCount(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = ((float)rng.NextDouble() * 2 - 1) * scale;
        return Tensor.FromArray(data, shape);
    }

    // Close to 1.4 x identity: activations grow pass after pass, so the head grows more confident
    // with depth and different thresholds exit at different depths.
    private static Tensor GrowingLayer(Random rng)
    {
        var w = Random(rng, 0.1f, 8, 8);
        for (var i = 0; i < 8; i++) w.Floats[i * 8 + i] += 1.4f;
        return w;
    }

    private static (Tensor Logits, int Depth, bool Early, List<string> Path) InCSharp(
        Tensor x, float threshold, int limit, IReadOnlyDictionary<string, Tensor> w)
    {
        var path = new List<string> { "entry" };
        var h = x;
        var i = 0;
        while (true)
        {
            path.Add("layer");
            h = TensorOps.Relu(TensorOps.Linear(h, w["w"], w["b"]));
            var logits = TensorOps.Linear(h, w["head_w"], w["head_b"]);
            var confidence = Tensor.Item(TensorOps.Max(TensorOps.Softmax(logits, -1), [], false));
            i++;
            if (confidence >= threshold)
            {
                path.Add("early");
                return (logits, i, true, path);
            }
            path.Add("check");
            if (i >= limit)
            {
                path.Add("exhausted");
                return (logits, i, false, path);
            }
        }
    }

    [Fact]
    public void EarlyExitNetworkAgreesWithCSharpOnEveryPath()
    {
        var program = IRParser.Parse(EarlyExitNet);
        Assert.Empty(Verifier.Verify(program));
        var rng = new Random(42);
        var weights = new Dictionary<string, Tensor>
        {
            ["w"] = GrowingLayer(rng),
            ["b"] = Random(rng, 0.1f, 8),
            ["head_w"] = Random(rng, 1.5f, 4, 8),
            ["head_b"] = Random(rng, 0.3f, 4),
        };
        var interpreter = new Interpreter();
        var depths = new HashSet<int>();
        var endings = new HashSet<bool>();
        foreach (var threshold in new[] { 0f, 0.5f, 0.7f, 0.8f, 0.9f, 0.95f, 0.99f, 1.01f })
        {
            for (var trial = 0; trial < 4; trial++)
            {
                var x = Random(rng, 2f, 1, 8);
                const int limit = 6;
                var expected = InCSharp(x, threshold, limit, weights);
                var run = interpreter.Run(program, [x, threshold, limit], weights);
                Assert.Equal(expected.Path, run.Path);
                Assert.Equal(expected.Logits.Floats.ToArray(), ((Tensor)run.Outputs[0]).Floats.ToArray());
                Assert.Equal(expected.Depth, run.Outputs[1]);
                Assert.Equal(expected.Early, run.Outputs[2]);
                depths.Add(expected.Depth);
                endings.Add(expected.Early);
            }
        }
        // The inputs must exercise the early exit, running out of passes, and several depths.
        Assert.Equal([false, true], endings.Order());
        Assert.True(depths.Count >= 4, $"depths seen: {string.Join(", ", depths.Order())}");
    }

    [Fact]
    public void MultiResultAndVariadicKernelsBind()
    {
        const string text = """
            program @bind(%x: tensor<f32, [2, 5]>) -> (tensor<f32, [2, 2]>, tensor<i64, [2, 2]>, tensor<f32, [2, 3]>, tensor<f32, [2, 7]>) {
            ^entry(%x: tensor<f32, [2, 5]>):
              %v, %i = topk(%x) {k = 2, dim = -1, largest = true}
              %p, %q = split(%x) {sizes = [2, 3], dim = 1}
              %c = concat(%x, %v) {dim = 1}
              return %v, %i, %q, %c
            }
            """;
        var x = Tensor.FromArray([3f, 1f, 4f, 1f, 5f, 9f, 2f, 6f, 5f, 3f], 2, 5);
        var run = new Interpreter().Run(IRParser.Parse(text), [x]);
        Assert.Equal([5f, 4f, 9f, 6f], ((Tensor)run.Outputs[0]).Floats.ToArray());
        Assert.Equal([4L, 2L, 0L, 2L], ((Tensor)run.Outputs[1]).Longs.ToArray());
        Assert.Equal([4f, 1f, 5f, 6f, 5f, 3f], ((Tensor)run.Outputs[2]).Floats.ToArray());
        Assert.Equal([3f, 1f, 4f, 1f, 5f, 5f, 4f, 9f, 2f, 6f, 5f, 3f, 9f, 6f], ((Tensor)run.Outputs[3]).Floats.ToArray());
    }
}
