using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Zoo.Sequence;

namespace DyCompile.Zoo.Tests;

/// <summary>ImageCaptioner.Forward written out as IR: the encoder in the entry block, then the
/// greedy decoding loop — ^header checks the step limit, ^body runs one attention + LSTM step,
/// writes the word at position <c>step</c> of a fixed-size caption buffer (IR types are fixed per
/// block parameter, so the growing list of the C# becomes a buffer of MaxSteps words, −1 where
/// unwritten, plus the step count) and breaks to ^done at the end token. The program returns
/// (buffer, length).</summary>
internal static class ImageCaptionerLowering
{
    public static IRProgram Lower(ImageCaptioner model)
    {
        var config = model.Config;
        var pb = new ProgramBuilder("image_captioner");
        var image = pb.Input("image", IRType.F32(1, 3, config.InputSize, config.InputSize));
        var w = ZooLowering.DeclareWeights(pb, model);
        Value Linear(BlockBuilder b, string name, Value x) => b.Linear(x, w[$"{name}.weight"], w[$"{name}.bias"]);

        var e = pb.Entry;
        var grid = e.Relu(ZooLowering.ConvBn(e, w, "encoder2", model.Encoder2, e.Relu(ZooLowering.ConvBn(e, w, "encoder1", model.Encoder1, image))));
        var features = e.Op("transpose", [e.Reshape(grid, 1, config.Features, -1)], new Attrs { { "dim0", 1 }, { "dim1", 2 } });
        var keys = Linear(e, "encoder_attention", features);
        var mean = e.Mean(features, [1]);
        var h0 = e.Tanh(Linear(e, "init_h", mean));
        var c0 = e.Tanh(Linear(e, "init_c", mean));
        var start = e.Const(IRType.Tensor(DType.Int64, 1), [config.StartToken]);
        var unwritten = e.Const(IRType.Tensor(DType.Int64, config.MaxSteps), [.. Enumerable.Repeat(-1.0, config.MaxSteps)]);

        var header = pb.Block("header");
        var body = pb.Block("body");
        var done = pb.Block("done");
        IRType[] stateTypes = [h0.Type, c0.Type, start.Type, IRType.Int, unwritten.Type, features.Type, keys.Type];
        string[] stateNames = ["h", "c", "word", "step", "caption", "features", "keys"];
        Value[] State(BlockBuilder b, string suffix) => [.. stateNames.Select((n, i) => b.Parameter($"{n}_{suffix}", stateTypes[i]))];

        e.Jump(header, h0, c0, start, e.Const(0), unwritten, features, keys);

        var s = State(header, "header");
        var more = header.Host("lt", s[3], header.Const(config.MaxSteps));
        header.Branch(more, body, s, done, [s[4], s[3]]);

        var p = State(body, "body");
        var (h, c, word, step, caption, feats, ks) = (p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        var query = body.Op("unsqueeze", [Linear(body, "decoder_attention", h)], new Attrs { { "dim", 1 } });
        var scores = Linear(body, "full_attention", body.Relu(body.Add(ks, query)));
        var alpha = body.Softmax(body.Op("squeeze", [scores], new Attrs { { "dims", new[] { 2 } } }), 1);
        var weighted = body.Mul(feats, body.Op("unsqueeze", [alpha], new Attrs { { "dim", 2 } }));
        var context = body.Mul(body.Sum(weighted, [1]), body.Sigmoid(Linear(body, "context_gate", h)));
        var embedded = body.Op("embedding", [word, w["words.weight"]], null);
        var x = body.Op("concat", [embedded, context], new Attrs { { "dim", 1 } });
        var (h2, c2) = LstmCell(body, w, "decoder", x, h, c, config.Hidden);
        var next = body.ArgMax(Linear(body, "vocabulary", h2), 1);
        var positions = body.Const(IRType.Tensor(DType.Int64, config.MaxSteps), [.. Enumerable.Range(0, config.MaxSteps).Select(i => (double)i)]);
        var here = body.Op("eq", positions, body.Cast(body.FromScalar(body.ToFloat(step)), DType.Int64));
        var grown = body.Where(here, next, caption);
        var step2 = body.Host("add", step, body.Const(1));
        var isEnd = body.Host("eq", body.ToInt(body.Item(next)), body.Const(config.EndToken));
        body.Branch(isEnd, done, [grown, step2], header, [h2, c2, next, step2, grown, feats, ks]);

        done.Return(done.Parameter("caption_done", stateTypes[4]), done.Parameter("length", IRType.Int));
        return pb.Build();
    }

    /// <summary>LSTMCell.Forward: gates i, f, g, o from x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh.</summary>
    private static (Value H, Value C) LstmCell(BlockBuilder b, Dictionary<string, Value> w, string prefix, Value x, Value h, Value c, int hidden)
    {
        var gates = b.Add(b.Linear(x, w[$"{prefix}.weight_ih"], w[$"{prefix}.bias_ih"]), b.Linear(h, w[$"{prefix}.weight_hh"], w[$"{prefix}.bias_hh"]));
        var parts = b.Ops("split", [gates], new Attrs { { "sizes", new[] { hidden, hidden, hidden, hidden } }, { "dim", -1 } });
        var (input, forget, cell, output) = (b.Sigmoid(parts[0]), b.Sigmoid(parts[1]), b.Tanh(parts[2]), b.Sigmoid(parts[3]));
        var c2 = b.Add(b.Mul(forget, c), b.Mul(input, cell));
        return (b.Mul(output, b.Tanh(c2)), c2);
    }
}
