using DyCompile.IR;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Random programs whose blocks jump to arbitrary blocks — nested and overlapping loops,
/// loops with several entries (irreducible), diamonds — made to terminate by a fuel counter
/// every block decrements: a block with no fuel left exits. Each block computes its decision,
/// checks the fuel, and hands the decision to a host-only gate block that picks the successor.</summary>
internal static class ArbitraryCfgPrograms
{
    public static IRProgram Generate(int seed)
    {
        var rng = new Random(seed);
        var s = IRType.F32(rng.Next(1, 3), rng.Next(2, 5));
        var pb = new ProgramBuilder("cfg" + seed);
        var x = pb.Input("x", s);
        var t = pb.Input("t", IRType.Float);
        var fuel = pb.Input("fuel", IRType.Int);
        pb.Returns(s);
        var exit = pb.Block("exit");
        exit.Return(exit.Parameter("out", s));

        var count = rng.Next(2, 6);
        var blocks = new List<BlockBuilder>();
        var gates = new List<BlockBuilder>();
        for (var k = 0; k < count; k++)
        {
            var b = pb.Block("b" + k);
            b.Parameter($"h{k}", s);
            b.Parameter($"f{k}", IRType.Int);
            b.Parameter($"t{k}", IRType.Float);
            blocks.Add(b);
            var g = pb.Block("g" + k);
            g.Parameter($"gh{k}", s);
            g.Parameter($"gf{k}", IRType.Int);
            g.Parameter($"gt{k}", IRType.Float);
            g.Parameter($"gc{k}", IRType.Bool);
            gates.Add(g);
        }
        for (var k = 0; k < count; k++)
        {
            var b = blocks[k];
            var h = rng.Next(3) switch
            {
                0 => b.Tanh(b.Add(b[0], b.Const(IRType.F32(), [0.25 * (k + 1)]))),
                1 => b.Sigmoid(b.Sub(b[0], b.Relu(b[0]))),
                _ => b.Op("clamp", [b.Mul(b[0], b.Const(IRType.F32(), [1.5]))], new Attrs { { "min", -1f }, { "max", 1f } }),
            };
            var f2 = b.Host("sub", b[1], b.Const(1));
            var alive = b.Host("gt", f2, b.Const(0));
            var decision = rng.Next(2) == 0
                ? b.Host("gt", b.Item(b.Mean(h, [])), b[2])
                : b.Host("lt", b.Host("mul", f2, b.Const(rng.Next(1, 4))), b.Const(rng.Next(2, 12)));
            b.Branch(alive, gates[k], [h, f2, b[2], decision], exit, [h]);

            var g = gates[k];
            BlockBuilder yes = blocks[rng.Next(count)], no = blocks[rng.Next(count)];
            g.Branch(g[3], yes, [g[0], g[1], g[2]], no, [g[0], g[1], g[2]]);
        }
        pb.Entry.Jump(blocks[0], x, fuel, t);
        return pb.Build();
    }
}
