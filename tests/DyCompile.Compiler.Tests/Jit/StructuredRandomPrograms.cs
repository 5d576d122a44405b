using DyCompile.IR;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Random dynamic programs built from regions that always terminate: straight layers,
/// if/else diamonds (sometimes cheap enough to be if-converted), while loops bounded by the int
/// input with an optional break, and early exits. Every decision compares a read-back statistic
/// of the state with the float input <c>%t</c>, so nudging <c>%t</c> tells whether a decision sits
/// within rounding of its threshold.</summary>
internal static class StructuredRandomPrograms
{
    public static IRProgram Generate(int seed)
    {
        var rng = new Random(seed);
        var rows = rng.Next(1, 4);
        var cols = rng.Next(2, 7);
        var s = IRType.F32(rows, cols);
        var pb = new ProgramBuilder("rand" + seed);
        var x = pb.Input("x", s);
        var t = pb.Input("t", IRType.Float);
        var n = pb.Input("n", IRType.Int);
        pb.Returns(s);
        var w = pb.Weight("w", IRType.F32(cols, cols));
        var b = pb.Weight("b", IRType.F32(cols));
        var exit = pb.Block("exit");
        exit.Return(exit.Parameter("out", s));

        var regions = rng.Next(1, 5);
        var blockIndex = 0;
        BlockBuilder NewBlock(string kind, bool withCounter = false)
        {
            var id = blockIndex++;
            var block = pb.Block($"{kind}{id}");
            block.Parameter($"h{id}", s);
            if (withCounter) block.Parameter($"i{id}", IRType.Int);
            block.Parameter($"t{id}", IRType.Float);
            block.Parameter($"n{id}", IRType.Int);
            return block;
        }
        Value[] Carry(BlockBuilder from, Value h) => [h, from.Parameters[^2], from.Parameters[^1]];

        // Regions are built back to front, so each knows the block it continues to.
        BlockBuilder? next = null;
        for (var r = 0; r < regions; r++)
        {
            var continueTo = next;
            Value[] To(BlockBuilder from, Value h) => continueTo is null ? [h] : Carry(from, h);
            BlockBuilder target = continueTo ?? exit;
            var kind = rng.Next(4);
            BlockBuilder start;
            switch (kind)
            {
                case 0:
                    start = NewBlock("layer");
                    start.Jump(target, To(start, Ops(rng, start, start[0], w, b, costly: rng.Next(2) == 0)));
                    break;
                case 1:
                    start = NewBlock("if");
                    var h0 = Ops(rng, start, start[0], w, b, costly: false);
                    var c = Condition(rng, start, h0, start.Parameters[^2]);
                    var join = target;
                    BlockBuilder yes = NewBlock("then"), no = NewBlock("else");
                    var cheap = rng.Next(2) == 0;
                    yes.Jump(join, To(yes, Ops(rng, yes, yes[0], w, b, costly: !cheap)));
                    no.Jump(join, To(no, Ops(rng, no, no[0], w, b, costly: !cheap && rng.Next(2) == 0)));
                    start.Branch(c, yes, Carry(start, h0), no, Carry(start, h0));
                    break;
                case 2:
                    start = NewBlock("loop");
                    var header = NewBlock("header", withCounter: true);
                    var body = NewBlock("body", withCounter: true);
                    start.Jump(header, start[0], start.Const(0), start.Parameters[^2], start.Parameters[^1]);
                    var more = header.Host("lt", header[1], header.Parameters[^1]);
                    header.Branch(more, body, [header[0], header[1], header.Parameters[^2], header.Parameters[^1]], target, To(header, header[0]));
                    var hb = Ops(rng, body, body[0], w, b, costly: rng.Next(2) == 0);
                    var i2 = body.Host("add", body[1], body.Const(1));
                    Value[] again = [hb, i2, body.Parameters[^2], body.Parameters[^1]];
                    if (rng.Next(2) == 0)
                        body.Branch(Condition(rng, body, hb, body.Parameters[^2]), target, To(body, hb), header, again);
                    else
                        body.Jump(header, again);
                    break;
                default:
                    start = NewBlock("exit_check");
                    var he = Ops(rng, start, start[0], w, b, costly: rng.Next(2) == 0);
                    start.Branch(Condition(rng, start, he, start.Parameters[^2]), exit, [he], target, To(start, he));
                    break;
            }
            next = start;
        }
        pb.Entry.Jump(next!, x, t, n);
        return pb.Build();
    }

    private static Value Condition(Random rng, BlockBuilder block, Value h, Value threshold)
    {
        var stat = rng.Next(2) == 0 ? block.Mean(h, []) : block.Max(h, []);
        return block.Host("gt", block.Item(stat), threshold);
    }

    /// <summary>One to three ops that keep the state bounded (every chain ends in a squashing op).</summary>
    private static Value Ops(Random rng, BlockBuilder block, Value h, Value w, Value b, bool costly)
    {
        var count = rng.Next(1, 4);
        for (var k = 0; k < count; k++)
        {
            h = rng.Next(costly ? 15 : 7) switch
            {
                0 => block.Relu(block.Add(h, b)),
                1 => block.Sigmoid(h),
                2 => block.Tanh(block.Sub(h, block.Tanh(h))),
                3 => block.Op("maximum", block.Mul(h, block.Const(IRType.F32(), [0.5])), block.Op("neg", h)),
                4 => block.Op("clamp", [block.Exp(h)], new Attrs { { "min", -2f }, { "max", 2f } }),
                5 => block.Op("abs", block.Sub(h, b)),
                6 => block.Tanh(block.Op("silu", h)),
                7 => block.Tanh(block.Linear(h, w, b)),
                8 => block.Softmax(block.MatMul(h, w), -1),
                9 => block.Where(block.Gt(h, b), h, block.Op("neg", h)),
                10 => block.Reshape(block.Reshape(h, -1), Shape(h)),
                11 => Transpose(block, block.Relu(Transpose(block, h))),
                12 => block.Tanh(block.Cast(block.Cast(block.Mul(h, block.Const(IRType.F32(), [4.0])), Runtime.DType.Int32), Runtime.DType.Float32)),
                13 => block.Sub(h, block.Mean(h, [1], keepdim: true)),
                _ => TopKRoundTrip(block, h),
            };
        }
        return h;
    }

    private static int[] Shape(Value v) => [.. ((TensorType)v.Type).Shape];

    private static Value Transpose(BlockBuilder block, Value h) => block.Op("transpose", [h], new Attrs { { "dim0", 0 }, { "dim1", 1 } });

    /// <summary>topk (two results), concat and slice: kernels without destination forms.</summary>
    private static Value TopKRoundTrip(BlockBuilder block, Value h)
    {
        var cols = Shape(h)[1];
        var top = block.Ops("topk", [h], new Attrs { { "k", 1 }, { "dim", -1 }, { "largest", true } });
        var joined = block.Op("concat", [h, top[0]], new Attrs { { "dim", -1 } });
        return block.Op("slice", [joined], new Attrs { { "dim", -1 }, { "start", 1 }, { "end", cols + 1 }, { "step", 1 } });
    }
}
