using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

/// <summary>Builds random well-formed programs: several blocks with loops and branches, tensor
/// ops and host-scalar ops, attributes of every kind, tensor and scalar constants.</summary>
internal static class RandomPrograms
{
    private static readonly string[] Unary = ["relu", "exp", "tanh", "sigmoid", "neg", "abs", "gelu", "silu", "sqrt", "log", "rsqrt"];
    private static readonly string[] Binary = ["add", "sub", "mul", "div", "maximum", "minimum", "pow"];
    private static readonly float[] SpecialFloats = [0f, -0f, 1e-5f, -1.5f, 3.25f, 100f, float.MaxValue, float.Epsilon, 1f / 3f];

    private sealed class Pools
    {
        public List<Value> Tensors { get; } = [];
        public List<Value> Ints { get; } = [];
        public List<Value> Floats { get; } = [];
        public List<Value> Bools { get; } = [];
    }

    public static IRProgram Generate(int seed, int size)
    {
        var rng = new Random(seed);
        var rank = rng.Next(1, 4);
        var shape = Enumerable.Range(0, rank).Select(_ => rng.Next(1, 5)).ToArray();
        var s = IRType.F32(shape);
        var pb = new ProgramBuilder("gen" + (uint)seed);
        var x = pb.Input("x", s);
        var n = pb.Input("n", IRType.Int);
        var f = pb.Input("f", IRType.Float);
        pb.Returns(s, IRType.Int);
        var w = pb.Weight("w", s);
        var wm = pb.Weight("wm", IRType.F32(shape[^1], shape[^1]));

        var blockCount = 1 + rng.Next(0, Math.Clamp(size / 10, 1, 5) + 1);
        var blocks = Enumerable.Range(0, blockCount).Select(i =>
        {
            var b = pb.Block("b" + i);
            b.Parameter("h" + i, s);
            b.Parameter("i" + i, IRType.Int);
            b.Parameter("g" + i, IRType.Float);
            return b;
        }).ToList();

        foreach (var block in blocks.Prepend(pb.Entry))
        {
            var pools = new Pools();
            pools.Tensors.Add(block[0]);
            pools.Ints.Add(block[1]);
            pools.Floats.Add(block[2]);
            var ops = rng.Next(1, 4 + size / 8);
            for (var k = 0; k < ops; k++) AddOp(rng, block, pools, s, w, wm);

            var choice = block == pb.Entry ? 0.5 : rng.NextDouble();
            Value[] Args(BlockBuilder target) => [Pick(rng, pools.Tensors), Pick(rng, pools.Ints), Pick(rng, pools.Floats)];
            if (choice < 0.3 || (block == blocks[^1] && choice < 0.5))
            {
                block.Return(Pick(rng, pools.Tensors), Pick(rng, pools.Ints));
            }
            else if (choice < 0.65)
            {
                var target = Pick(rng, blocks);
                block.Jump(target, Args(target));
            }
            else
            {
                if (pools.Bools.Count == 0) pools.Bools.Add(block.Host("lt", Pick(rng, pools.Ints), block.Const(rng.Next(-3, 10))));
                BlockBuilder t = Pick(rng, blocks), e = Pick(rng, blocks);
                block.Branch(Pick(rng, pools.Bools), t, Args(t), e, Args(e));
            }
        }
        return pb.Build();
    }

    private static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private static float RandomFloat(Random rng) =>
        rng.Next(3) == 0 ? Pick(rng, SpecialFloats) : (float)(rng.NextDouble() * 20 - 10);

    private static void AddOp(Random rng, BlockBuilder b, Pools p, TensorType s, Value w, Value wm)
    {
        var t = Pick(rng, p.Tensors);
        switch (rng.Next(16))
        {
            case 0: p.Tensors.Add(b.Op(Pick(rng, Unary), t)); break;
            case 1: p.Tensors.Add(b.Op(Pick(rng, Binary), t, rng.Next(2) == 0 ? w : Pick(rng, p.Tensors))); break;
            case 2: p.Tensors.Add(b.MatMul(t, wm)); break;
            case 3:
                var lo = RandomFloat(rng);
                p.Tensors.Add(b.Op("clamp", [t], new Attrs { { "min", lo }, { "max", lo + 1 } }));
                break;
            case 4: p.Tensors.Add(b.Softmax(t, rng.Next(-s.Rank, s.Rank))); break;
            case 5:
                var dims = Enumerable.Range(0, s.Rank).Where(_ => rng.Next(2) == 0).ToArray();
                var reduced = b.Op(Pick(rng, new[] { "sum", "mean", "max", "min" }), [t], new Attrs { { "dims", dims }, { "keepdim", rng.Next(2) == 0 } });
                p.Floats.Add(b.Item(b.Sum(reduced, [])));
                break;
            case 6:
                var dtype = Pick(rng, new[] { DType.Int32, DType.Int64, DType.Bool });
                p.Tensors.Add(b.Cast(b.Cast(t, dtype), DType.Float32));
                break;
            case 7: p.Tensors.Add(b.Where(b.Gt(t, Pick(rng, p.Tensors)), t, w)); break;
            case 8:
                var (ia, ib) = (Pick(rng, p.Ints), Pick(rng, p.Ints));
                p.Ints.Add(b.Host(Pick(rng, new[] { "add", "sub", "mul", "max", "min" }), ia, ib));
                p.Bools.Add(b.Host(Pick(rng, new[] { "lt", "le", "gt", "ge", "eq", "ne" }), ia, ib));
                break;
            case 9:
                var (fa, fb) = (Pick(rng, p.Floats), Pick(rng, p.Floats));
                p.Floats.Add(b.Host(Pick(rng, new[] { "add", "sub", "mul", "div" }), fa, fb));
                p.Bools.Add(b.Host("gt", fa, fb));
                p.Ints.Add(b.ToInt(fa));
                p.Floats.Add(b.ToFloat(Pick(rng, p.Ints)));
                break;
            case 10:
                if (p.Bools.Count > 0)
                {
                    var c = b.Host(Pick(rng, new[] { "and", "or" }), Pick(rng, p.Bools), b.Not(Pick(rng, p.Bools)));
                    p.Bools.Add(c);
                    p.Ints.Add(b.Select(c, Pick(rng, p.Ints), b.Host("neg", Pick(rng, p.Ints))));
                }
                break;
            case 11:
                p.Ints.Add(b.Const(rng.Next(-100, 100)));
                p.Floats.Add(b.Const(RandomFloat(rng)));
                p.Bools.Add(b.Const(rng.Next(2) == 0));
                break;
            case 12:
                p.Tensors.Add(b.Const(s, Enumerable.Range(0, (int)s.ElementCount).Select(_ => (double)RandomFloat(rng)).ToArray()));
                break;
            case 13: p.Tensors.Add(b.Add(t, b.FromScalar(Pick(rng, p.Floats)))); break;
            case 14:
                if (s.Rank >= 2)
                {
                    var tr = b.Op("transpose", [t], new Attrs { { "dim0", 0 }, { "dim1", -1 } });
                    p.Tensors.Add(b.Op("transpose", [b.Relu(tr)], new Attrs { { "dim0", -1 }, { "dim1", 0 } }));
                }
                else
                {
                    p.Tensors.Add(b.Reshape(b.Reshape(t, -1, 1), s.Shape[0]));
                }
                break;
            default:
                var k = rng.Next(0, s.Shape[^1] + 1);
                var top = b.Ops("topk", [t], new Attrs { { "k", k }, { "dim", -1 }, { "largest", rng.Next(2) == 0 } });
                p.Tensors.Add(b.Op("concat", [t, top[0]], new Attrs { { "dim", -1 } }) is var cat
                    ? b.Op("slice", [cat], new Attrs { { "dim", -1 }, { "start", 0 }, { "end", s.Shape[^1] }, { "step", 1 } })
                    : t);
                break;
        }
    }
}
