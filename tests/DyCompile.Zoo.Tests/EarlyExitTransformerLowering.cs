using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Zoo.Sequence;

namespace DyCompile.Zoo.Tests;

/// <summary>EarlyExitTransformer.Forward written out as IR: embeddings, then per layer the pre-norm
/// attention and MLP and the exit head on the mean token, with a branch to an exit block when the
/// head's top softmax probability reaches the threshold; the last layer answers regardless.</summary>
internal static class EarlyExitTransformerLowering
{
    public static IRProgram Lower(EarlyExitTransformer model)
    {
        var config = model.Config;
        var pb = new ProgramBuilder("early_exit_transformer");
        var ids = pb.Input("ids", IRType.Tensor(DType.Int64, 1, config.Tokens));
        var w = ZooLowering.DeclareWeights(pb, model);
        var b = pb.Entry;
        var positions = b.Const(IRType.Tensor(DType.Int64, config.Tokens), [.. Enumerable.Range(0, config.Tokens).Select(i => (double)i)]);
        var x = b.Add(b.Op("embedding", ids, w["embedding.tokens.weight"]), b.Op("embedding", positions, w["embedding.positions.weight"]));
        for (var i = 0; i < config.Layers; i++)
        {
            var p = $"layers.{i}";
            x = b.Add(x, Attention(b, w, $"{p}.attention", LayerNorm(b, w, $"{p}.norm1", x), config));
            var up = b.Op("gelu", Linear(b, w, $"{p}.mlp.up", LayerNorm(b, w, $"{p}.norm2", x)));
            x = b.Add(x, Linear(b, w, $"{p}.mlp.down", up));
            var logits = Linear(b, w, $"heads.{i}", b.Mean(x, [1]));
            if (i == config.Layers - 1)
            {
                b.Return(logits, b.Const(i));
                break;
            }
            var confident = b.Host("ge", b.Item(b.Max(b.Softmax(logits, 1), [])), b.Const(config.Threshold));
            var exit = pb.Block($"exit{i}");
            var next = pb.Block($"layer{i + 1}");
            b.Branch(confident, exit, [logits], next, [x]);
            exit.Return(exit.Parameter($"logits{i}", logits.Type), exit.Const(i));
            x = next.Parameter($"x{i + 1}", x.Type);
            b = next;
        }
        return pb.Build();
    }

    private static Value Linear(BlockBuilder b, Dictionary<string, Value> w, string name, Value x) => b.Linear(x, w[$"{name}.weight"], w[$"{name}.bias"]);

    private static Value LayerNorm(BlockBuilder b, Dictionary<string, Value> w, string name, Value x) =>
        b.Op("layer_norm", [x, w[$"{name}.weight"], w[$"{name}.bias"]], new Attrs { { "eps", 1e-5f } });

    private static Value Attention(BlockBuilder b, Dictionary<string, Value> w, string name, Value x, EarlyExitTransformerConfig c)
    {
        var headDim = c.Dim / c.Heads;
        Value Heads(Value t) => b.Op("transpose", [b.Reshape(t, 1, c.Tokens, c.Heads, headDim)], new Attrs { { "dim0", 1 }, { "dim1", 2 } });
        var q = Heads(Linear(b, w, $"{name}.query", x));
        var k = Heads(Linear(b, w, $"{name}.key", x));
        var v = Heads(Linear(b, w, $"{name}.value", x));
        var kt = b.Op("transpose", [k], new Attrs { { "dim0", 2 }, { "dim1", 3 } });
        var scores = b.Mul(b.MatMul(q, kt), b.Const(IRType.F32(), [1f / MathF.Sqrt(headDim)]));
        var mixed = b.MatMul(b.Softmax(scores, -1), v);
        var merged = b.Reshape(b.Op("transpose", [mixed], new Attrs { { "dim0", 1 }, { "dim1", 2 } }), 1, c.Tokens, c.Dim);
        return Linear(b, w, $"{name}.output", merged);
    }
}
