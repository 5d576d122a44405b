using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Backends.Tests;

/// <summary>Programs with branches and loops, run by the interpreter and, exported, by ONNX Runtime
/// on random inputs that reach different paths: the results agree, and the inputs do take
/// several paths (so each construct is exercised both ways).</summary>
public class ControlFlowExportTests
{
    private static readonly Dictionary<string, Tensor> _noWeights = [];

    private const string Diamond = """
        program @diamond(%x: tensor<f32, [2, 4]>) -> (tensor<f32, [2, 4]>, float) {
        ^entry(%x: tensor<f32, [2, 4]>):
          %s = sum(%x) {dims = [], keepdim = false} : tensor<f32, []>
          %v = item(%s) : float
          %zero = const 0.0 : float
          %pos = host.gt(%v, %zero) : bool
          branch %pos, ^then(%x, %v), ^else(%x)
        ^then(%a: tensor<f32, [2, 4]>, %av: float):
          %r = relu(%a) : tensor<f32, [2, 4]>
          %sq = host.mul(%av, %av) : float
          jump ^join(%r, %sq)
        ^else(%b: tensor<f32, [2, 4]>):
          %e = exp(%b) : tensor<f32, [2, 4]>
          %m = const -1.0 : float
          jump ^join(%e, %m)
        ^join(%y: tensor<f32, [2, 4]>, %f: float):
          %t = tanh(%y) : tensor<f32, [2, 4]>
          return %t, %f
        }
        """;

    [Fact]
    public void IfElseDiamondAgreesOnBothSides()
    {
        var program = IRProgram.Parse(Diamond);
        var paths = RunMany(program, _noWeights, g => [g.Normal(2, 4)]);
        Assert.Contains(paths, p => p.Contains("then"));
        Assert.Contains(paths, p => p.Contains("else"));
    }

    private const string WhileBreak = """
        program @while_break(%x: tensor<f32, [1, 4]>, %limit: int) -> (tensor<f32, [1, 4]>, int) {
          weight @w : tensor<f32, [4, 4]>
        ^entry(%x: tensor<f32, [1, 4]>, %limit: int):
          %zero = const 0 : int
          jump ^header(%x, %zero, %limit)
        ^header(%h: tensor<f32, [1, 4]>, %i: int, %lim: int):
          %more = host.lt(%i, %lim) : bool
          branch %more, ^body(%h, %i, %lim), ^done(%h, %i)
        ^body(%hb: tensor<f32, [1, 4]>, %ib: int, %limb: int):
          %y = matmul(%hb, @w) : tensor<f32, [1, 4]>
          %t = tanh(%y) : tensor<f32, [1, 4]>
          %one = const 1 : int
          %i2 = host.add(%ib, %one) : int
          %s = sum(%t) {dims = [], keepdim = false} : tensor<f32, []>
          %v = item(%s) : float
          %bar = const 1.5 : float
          %big = host.gt(%v, %bar) : bool
          branch %big, ^done(%t, %i2), ^header(%t, %i2, %limb)
        ^done(%r: tensor<f32, [1, 4]>, %n: int):
          return %r, %n
        }
        """;

    [Fact]
    public void WhileLoopWithBreakAndCounterAgrees()
    {
        var program = IRProgram.Parse(WhileBreak);
        var weights = new Dictionary<string, Tensor> { ["w"] = Identityish(4, 1.3f, new Gen(7)) };
        var paths = RunMany(program, weights, g => [g.Normal(1, 4), (int)g.Float(0, 6)], count: 16);
        // Some runs break early, some run out of iterations, with different trip counts.
        Assert.True(paths.Select(p => p.Count(b => b == "body")).Distinct().Count() >= 3, string.Join("\n", paths.Select(p => string.Join(" ", p))));
        Assert.Contains(paths, p => p.Count >= 2 && p[^2] == "body");
        Assert.Contains(paths, p => p.Count >= 2 && p[^2] == "header");
    }

    [Fact]
    public void DynamicallyShapedLoopValuesAgree()
    {
        // The batch dimension is dynamic, so the placeholders for the break arguments are too.
        var program = IRProgram.Parse(WhileBreak.Replace("[1, 4]", "[?, 4]"));
        var weights = new Dictionary<string, Tensor> { ["w"] = Identityish(4, 1.3f, new Gen(7)) };
        var paths = RunMany(program, weights, g => [g.Normal(1 + (int)g.Float(0, 3), 4) * 0.6f, (int)g.Float(0, 6)], count: 12);
        Assert.True(paths.Select(p => p.Count).Distinct().Count() >= 2);
    }

    /// <summary>A diamond inside a loop body: the branch sides meet at a latch that either continues
    /// or breaks; the counter decides which side runs.</summary>
    private const string LoopWithDiamond = """
        program @loop_diamond(%x: tensor<f32, [3]>, %n: int) -> (tensor<f32, [3]>, int) {
        ^entry(%x: tensor<f32, [3]>, %n: int):
          %zero = const 0 : int
          jump ^header(%x, %zero, %n)
        ^header(%h: tensor<f32, [3]>, %i: int, %hn: int):
          %two = const 2 : int
          %half = host.div(%i, %two) : int
          %back = host.mul(%half, %two) : int
          %even = host.eq(%back, %i) : bool
          branch %even, ^even(%h, %i, %hn), ^odd(%h, %i, %hn)
        ^even(%a: tensor<f32, [3]>, %ia: int, %na: int):
          %ea = add(%a, %a) : tensor<f32, [3]>
          jump ^latch(%ea, %ia, %na)
        ^odd(%b: tensor<f32, [3]>, %ib: int, %nb: int):
          %ob = sigmoid(%b) : tensor<f32, [3]>
          jump ^latch(%ob, %ib, %nb)
        ^latch(%c: tensor<f32, [3]>, %ic: int, %nc: int):
          %one = const 1 : int
          %next = host.add(%ic, %one) : int
          %go = host.lt(%next, %nc) : bool
          branch %go, ^header(%c, %next, %nc), ^exit(%c, %next)
        ^exit(%r: tensor<f32, [3]>, %k: int):
          return %r, %k
        }
        """;

    [Fact]
    public void DiamondInsideALoopAgrees()
    {
        var program = IRProgram.Parse(LoopWithDiamond);
        var paths = RunMany(program, _noWeights, g => [g.Normal(3), 1 + (int)g.Float(0, 5)]);
        Assert.True(paths.Select(p => p.Count).Distinct().Count() >= 3);
    }

    [Fact]
    public void EarlyExitChainAgreesAtEveryExit()
    {
        var (program, weights) = EarlyExitChain(stages: 3, seed: 3);
        var paths = RunMany(program, weights, g =>
        {
            var x = g.Normal(1, 8);
            var scale = MathF.Pow(10, g.Float(-1.5f, 1f));
            return [x * scale, 0.6f];
        }, count: 24);
        Assert.True(paths.Select(p => p[^1]).Distinct().Count() >= 2, string.Join(" | ", paths.Select(p => p[^1])));
    }

    [Fact]
    public void LoopWithEarlyReturnsAtTwoExitsAgrees()
    {
        var (program, weights) = RecurrentEarlyExit();
        var paths = RunMany(program, weights, g => [g.Normal(1, 8) * g.Float(0.2f, 2f), g.Float(0.4f, 0.98f), 6], count: 16);
        Assert.Contains(paths, p => p[^1] == "early");
        Assert.Contains(paths, p => p[^1] == "exhausted");
    }

    [Fact]
    public void ContinueBeforeABottomTestedExitAgrees()
    {
        // Odd counts continue straight back to ^top; even ones work and reach the exit test, so
        // ^test post-dominates ^top globally but not inside the loop.
        var program = IRProgram.Parse("""
            program @continue_loop(%x: tensor<f32, [2]>, %n: int) -> (tensor<f32, [2]>, int) {
            ^entry(%x: tensor<f32, [2]>, %n: int):
              %zero = const 0 : int
              jump ^top(%x, %zero, %n)
            ^top(%h: tensor<f32, [2]>, %i: int, %m: int):
              %one = const 1 : int
              %i2 = host.add(%i, %one) : int
              %two = const 2 : int
              %half = host.div(%i2, %two) : int
              %twice = host.mul(%half, %two) : int
              %odd = host.ne(%twice, %i2) : bool
              branch %odd, ^skip(%h, %i2, %m), ^work(%h, %i2, %m)
            ^skip(%hs: tensor<f32, [2]>, %is: int, %ms: int):
              jump ^top(%hs, %is, %ms)
            ^work(%hw: tensor<f32, [2]>, %iw: int, %mw: int):
              %d = add(%hw, %hw) : tensor<f32, [2]>
              %t = tanh(%d) : tensor<f32, [2]>
              jump ^test(%t, %iw, %mw)
            ^test(%ht: tensor<f32, [2]>, %it: int, %mt: int):
              %more = host.lt(%it, %mt) : bool
              branch %more, ^top(%ht, %it, %mt), ^done(%ht, %it)
            ^done(%r: tensor<f32, [2]>, %k: int):
              return %r, %k
            }
            """);
        var paths = RunMany(program, _noWeights, g => [g.Normal(2), (int)g.Float(0, 9)]);
        Assert.True(paths.Select(p => p.Count).Distinct().Count() >= 3);
    }

    [Fact]
    public void ReturnFromALoopInsideOneSideOfABranchAgrees()
    {
        var program = IRProgram.Parse("""
            program @if_loop_return(%x: float, %n: int) -> (float) {
            ^entry(%x: float, %n: int):
              %zero = const 0.0 : float
              %pos = host.gt(%x, %zero) : bool
              %z = const 0 : int
              branch %pos, ^loop(%x, %z, %n), ^neg(%x)
            ^loop(%v: float, %i: int, %m: int):
              %two = const 2.0 : float
              %v2 = host.mul(%v, %two) : float
              %big = const 50.0 : float
              %over = host.gt(%v2, %big) : bool
              branch %over, ^early(%v2), ^next(%v2, %i, %m)
            ^early(%e: float):
              return %e
            ^next(%w: float, %j: int, %mj: int):
              %one = const 1 : int
              %j2 = host.add(%j, %one) : int
              %more = host.lt(%j2, %mj) : bool
              branch %more, ^loop(%w, %j2, %mj), ^join(%w)
            ^neg(%q: float):
              %nq = host.neg(%q) : float
              jump ^join(%nq)
            ^join(%r: float):
              %h = const 0.5 : float
              %out = host.mul(%r, %h) : float
              return %out
            }
            """);
        var paths = RunMany(program, _noWeights, g => [g.Float(-5f, 20f), 1 + (int)g.Float(0, 6)], count: 16);
        Assert.Contains(paths, p => p[^1] == "early");
        Assert.Contains(paths, p => p[^1] == "join" && p.Contains("loop"));
        Assert.Contains(paths, p => p.Contains("neg"));
    }

    [Fact]
    public void EntryBlockThatIsALoopHeaderAgrees()
    {
        var program = IRProgram.Parse("""
            program @entry_loop(%x: float, %n: int) -> (float) {
            ^entry(%x: float, %n: int):
              %one = const 1 : int
              %n2 = host.sub(%n, %one) : int
              %zero = const 0 : int
              %more = host.gt(%n2, %zero) : bool
              %h = const 1.5 : float
              %x2 = host.mul(%x, %h) : float
              branch %more, ^entry(%x2, %n2), ^done(%x2)
            ^done(%r: float):
              return %r
            }
            """);
        var paths = RunMany(program, _noWeights, g => [g.Float(-2f, 2f), (int)g.Float(0, 6)]);
        Assert.True(paths.Select(p => p.Count).Distinct().Count() >= 3);
    }

    [Fact]
    public void NestedLoopsAgree()
    {
        var program = IRProgram.Parse("""
            program @nested(%x: tensor<f32, [2]>, %n: int, %m: int) -> (tensor<f32, [2]>) {
            ^entry(%x: tensor<f32, [2]>, %n: int, %m: int):
              %zero = const 0 : int
              jump ^outer(%x, %zero, %n, %m)
            ^outer(%h: tensor<f32, [2]>, %i: int, %on: int, %om: int):
              %more = host.lt(%i, %on) : bool
              %z = const 0 : int
              branch %more, ^inner(%h, %z, %i, %on, %om), ^done(%h)
            ^inner(%g: tensor<f32, [2]>, %j: int, %gi: int, %gn: int, %gm: int):
              %in_more = host.lt(%j, %gm) : bool
              branch %in_more, ^step(%g, %j, %gi, %gn, %gm), ^next(%g, %gi, %gn, %gm)
            ^step(%s: tensor<f32, [2]>, %js: int, %si: int, %sn: int, %sm: int):
              %half = const [0.5, 0.25] : tensor<f32, [2]>
              %u = add(%s, %half) : tensor<f32, [2]>
              %one = const 1 : int
              %j2 = host.add(%js, %one) : int
              jump ^inner(%u, %j2, %si, %sn, %sm)
            ^next(%t: tensor<f32, [2]>, %ti: int, %tn: int, %tm: int):
              %one2 = const 1 : int
              %i2 = host.add(%ti, %one2) : int
              %tt = tanh(%t) : tensor<f32, [2]>
              jump ^outer(%tt, %i2, %tn, %tm)
            ^done(%r: tensor<f32, [2]>):
              return %r
            }
            """);
        RunMany(program, _noWeights, g => [g.Normal(2), (int)g.Float(0, 4), (int)g.Float(0, 4)]);
    }

    /// <summary>Runs the program on <paramref name="count"/> random inputs, checking agreement;
    /// returns the interpreter's block paths.</summary>
    internal static List<List<string>> RunMany(IRProgram program, IReadOnlyDictionary<string, Tensor> weights, Func<Gen, object[]> inputs, int count = 12)
    {
        var paths = new List<List<string>>();
        for (var seed = 0; seed < count; seed++)
            paths.Add([.. Agreement.Check(program, weights, inputs(new Gen(100 + seed))).Path]);
        return paths;
    }

    private static Tensor Identityish(int n, float gain, Gen g)
    {
        var w = g.Uniform(-0.2f, 0.2f, n, n);
        for (var k = 0; k < n; k++) w.Floats[k * n + k] += gain;
        return w;
    }

    /// <summary>stages × (linear, relu, exit head; return when the top softmax probability reaches
    /// the threshold), then a final head: the shape of an SDN's forward pass.</summary>
    internal static (IRProgram, Dictionary<string, Tensor>) EarlyExitChain(int stages, int seed)
    {
        var g = new Gen(seed);
        var weights = new Dictionary<string, Tensor>();
        var pb = new ProgramBuilder("early_exit_chain");
        var x = pb.Input("x", IRType.F32(1, 8));
        var threshold = pb.Input("threshold", IRType.Float);
        var block = pb.Entry;
        var (h, thr) = (x, threshold);
        for (var s = 0; s < stages; s++)
        {
            var w = pb.Weight($"w{s}", IRType.F32(8, 8));
            var b = pb.Weight($"b{s}", IRType.F32(8));
            var hw = pb.Weight($"head{s}_w", IRType.F32(4, 8));
            var hb = pb.Weight($"head{s}_b", IRType.F32(4));
            weights[w.Name] = g.Normal(8, 8) * 0.6f;
            weights[b.Name] = g.Normal(8) * 0.1f;
            weights[hw.Name] = g.Normal(4, 8);
            weights[hb.Name] = g.Normal(4) * 0.1f;
            h = block.Relu(block.Linear(h, w, b));
            var logits = block.Linear(h, hw, hb);
            var confidence = block.Item(block.Max(block.Softmax(logits, 1), []));
            var exit = pb.Block($"exit{s}");
            var next = pb.Block($"stage{s + 1}");
            block.Branch(block.Host("ge", confidence, thr), exit, [logits], next, [h, thr]);
            exit.Return(exit.Parameter($"out{s}", IRType.F32(1, 4)), exit.Const(s, $"index{s}"));
            h = next.Parameter($"h{s + 1}", IRType.F32(1, 8));
            thr = next.Parameter($"thr{s + 1}", IRType.Float);
            block = next;
        }
        var fw = pb.Weight("final_w", IRType.F32(4, 8));
        var fb = pb.Weight("final_b", IRType.F32(4));
        weights[fw.Name] = g.Normal(4, 8);
        weights[fb.Name] = g.Normal(4);
        block.Return(block.Linear(h, fw, fb), block.Const(stages, "final_index"));
        return (pb.Build(), weights);
    }

    /// <summary>The quick-start network: a weight-tied layer applied in a loop with an exit head,
    /// returning from inside the loop when confident, or after the pass limit.</summary>
    private static (IRProgram, Dictionary<string, Tensor>) RecurrentEarlyExit()
    {
        var hidden = IRType.F32(1, 8);
        var logitsType = IRType.F32(1, 4);
        var pb = new ProgramBuilder("recurrent_early_exit");
        var x = pb.Input("x", hidden);
        var threshold = pb.Input("threshold", IRType.Float);
        var limit = pb.Input("limit", IRType.Int);
        var w = pb.Weight("w", IRType.F32(8, 8));
        var b = pb.Weight("b", IRType.F32(8));
        var headW = pb.Weight("head_w", IRType.F32(4, 8));
        var headB = pb.Weight("head_b", IRType.F32(4));

        var layer = pb.Block("layer");
        var h = layer.Parameter("h", hidden);
        var i = layer.Parameter("i", IRType.Int);
        var thr = layer.Parameter("thr", IRType.Float);
        var lim = layer.Parameter("lim", IRType.Int);
        var check = pb.Block("check");
        var early = pb.Block("early");
        var exhausted = pb.Block("exhausted");

        pb.Entry.Jump(layer, x, pb.Entry.Const(0, "zero"), threshold, limit);
        var h2 = layer.Relu(layer.Linear(h, w, b));
        var logits = layer.Linear(h2, headW, headB);
        var confidence = layer.Item(layer.Max(layer.Softmax(logits, -1), []));
        var i2 = layer.Host("add", i, layer.Const(1, "one"));
        layer.Branch(layer.Host("ge", confidence, thr), early, [logits, i2], check, [h2, logits, i2, thr, lim]);

        var (h3, l3, i3, thr3, lim3) = (check.Parameter("h3", hidden), check.Parameter("l3", logitsType),
            check.Parameter("i3", IRType.Int), check.Parameter("thr3", IRType.Float), check.Parameter("lim3", IRType.Int));
        check.Branch(check.Host("ge", i3, lim3), exhausted, [l3, i3], layer, [h3, i3, thr3, lim3]);
        early.Return(early.Parameter("le", logitsType), early.Parameter("de", IRType.Int), early.Const(true, "yes"));
        exhausted.Return(exhausted.Parameter("lx", logitsType), exhausted.Parameter("dx", IRType.Int), exhausted.Const(false, "no"));

        var g = new Gen(7);
        var weights = new Dictionary<string, Tensor>
        {
            ["w"] = Identityish(8, 1.4f, g),
            ["b"] = g.Uniform(-0.1f, 0.1f, 8),
            ["head_w"] = g.Uniform(-1.5f, 1.5f, 4, 8),
            ["head_b"] = g.Uniform(-0.3f, 0.3f, 4),
        };
        return (pb.Build(), weights);
    }
}
