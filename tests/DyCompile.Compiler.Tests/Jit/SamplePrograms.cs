namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Dynamic programs in IR text, one per control-flow shape the partition must handle.</summary>
internal static class SamplePrograms
{
    /// <summary>A classifier head decides after the first layer whether to stop.</summary>
    public const string EarlyExit = """
        program @early_exit(%x: tensor<f32, [2, 8]>, %thr: float) -> (tensor<f32, [2, 4]>) {
          weight @w1 : tensor<f32, [8, 8]>
          weight @b1 : tensor<f32, [8]>
          weight @head : tensor<f32, [4, 8]>
          weight @hb : tensor<f32, [4]>
          weight @w2 : tensor<f32, [8, 8]>
        ^entry(%x: tensor<f32, [2, 8]>, %thr: float):
          %a = linear(%x, @w1, @b1)
          %h = relu(%a)
          %l1 = linear(%h, @head, @hb)
          %p = softmax(%l1) {dim = -1}
          %m = max(%p) {dims = [], keepdim = false}
          %conf = item(%m)
          %stop = host.gt(%conf, %thr)
          branch %stop, ^exit(%l1), ^deep(%h)
        ^deep(%h2: tensor<f32, [2, 8]>):
          %a2 = matmul(%h2, @w2)
          %g = tanh(%a2)
          %r = add(%g, %h2)
          %l2 = linear(%r, @head, @hb)
          jump ^exit(%l2)
        ^exit(%out: tensor<f32, [2, 4]>):
          return %out
        }
        """;

    /// <summary>A while loop over a counter that also breaks out when the state grows large.</summary>
    public const string LoopWithBreak = """
        program @loop_break(%x: tensor<f32, [4, 4]>, %n: int, %limit: float) -> (tensor<f32, [4, 4]>, int) {
          weight @w : tensor<f32, [4, 4]>
        ^entry(%x: tensor<f32, [4, 4]>, %n: int, %limit: float):
          %zero = const 0 : int
          jump ^header(%x, %zero, %n, %limit)
        ^header(%h: tensor<f32, [4, 4]>, %i: int, %hn: int, %hl: float):
          %more = host.lt(%i, %hn)
          branch %more, ^body(%h, %i, %hn, %hl), ^done(%h, %i)
        ^body(%hb: tensor<f32, [4, 4]>, %ib: int, %bn: int, %bl: float):
          %mm = matmul(%hb, @w)
          %t = tanh(%mm)
          %u = add(%t, %hb)
          %a = abs(%u)
          %s = mean(%a) {dims = [], keepdim = false}
          %v = item(%s)
          %one = const 1 : int
          %i2 = host.add(%ib, %one)
          %big = host.gt(%v, %bl)
          branch %big, ^done(%u, %i2), ^header(%u, %i2, %bn, %bl)
        ^done(%r: tensor<f32, [4, 4]>, %k: int):
          return %r, %k
        }
        """;

    /// <summary>An inner branch inside the true side of an outer branch; every side is too costly to if-convert.</summary>
    public const string NestedBranches = """
        program @nested(%x: tensor<f32, [3, 3]>, %a: float, %b: float) -> (tensor<f32, [3, 3]>) {
          weight @w : tensor<f32, [3, 3]>
        ^entry(%x: tensor<f32, [3, 3]>, %a: float, %b: float):
          %s = sum(%x) {dims = [], keepdim = false}
          %v = item(%s)
          %c1 = host.gt(%v, %a)
          branch %c1, ^outer_t(%x, %v, %b), ^outer_f(%x)
        ^outer_t(%y: tensor<f32, [3, 3]>, %v2: float, %b2: float):
          %c2 = host.gt(%v2, %b2)
          branch %c2, ^inner_t(%y), ^inner_f(%y)
        ^inner_t(%p: tensor<f32, [3, 3]>):
          %e = matmul(%p, @w)
          jump ^join(%e)
        ^inner_f(%q: tensor<f32, [3, 3]>):
          %e2 = softmax(%q) {dim = 1}
          jump ^join(%e2)
        ^outer_f(%z: tensor<f32, [3, 3]>):
          %zt = transpose(%z) {dim0 = 0, dim1 = 1}
          %z2 = matmul(%zt, @w)
          jump ^join(%z2)
        ^join(%o: tensor<f32, [3, 3]>):
          %r = sigmoid(%o)
          return %r
        }
        """;

    /// <summary>A layer applied once before a loop and then as the loop body: the same segment
    /// three ways (prologue, body called every iteration), compiled once.</summary>
    public const string RepeatedLayer = """
        program @repeat(%x: tensor<f32, [2, 6]>, %n: int) -> (tensor<f32, [2, 6]>) {
          weight @w : tensor<f32, [6, 6]>
          weight @b : tensor<f32, [6]>
        ^entry(%x: tensor<f32, [2, 6]>, %n: int):
          %l0 = linear(%x, @w, @b)
          %r0 = relu(%l0)
          %zero = const 0 : int
          jump ^header(%r0, %zero, %n)
        ^header(%h: tensor<f32, [2, 6]>, %i: int, %hn: int):
          %more = host.lt(%i, %hn)
          branch %more, ^body(%h, %i, %hn), ^done(%h)
        ^body(%hb: tensor<f32, [2, 6]>, %ib: int, %bn: int):
          %l1 = linear(%hb, @w, @b)
          %r1 = relu(%l1)
          %one = const 1 : int
          %i2 = host.add(%ib, %one)
          jump ^header(%r1, %i2, %bn)
        ^done(%out: tensor<f32, [2, 6]>):
          return %out
        }
        """;

    /// <summary>A branch on a read-back mean whose two sides are a few elementwise ops: it becomes a
    /// <c>where</c> and the whole program one segment.</summary>
    public const string CheapBranch = """
        program @cheap(%x: tensor<f32, [2, 3]>, %t: float) -> (tensor<f32, [2, 3]>) {
        ^entry(%x: tensor<f32, [2, 3]>, %t: float):
          %s = mean(%x) {dims = [], keepdim = false}
          %v = item(%s)
          %c = host.gt(%v, %t)
          branch %c, ^pos(%x), ^neg(%x)
        ^pos(%p: tensor<f32, [2, 3]>):
          %p2 = relu(%p)
          jump ^join(%p2)
        ^neg(%q: tensor<f32, [2, 3]>):
          %q2 = neg(%q)
          %q3 = mul(%q2, %q)
          jump ^join(%q3)
        ^join(%o: tensor<f32, [2, 3]>):
          %r = exp(%o)
          return %r
        }
        """;

    /// <summary>A static-shaped MLP block with a residual and a branchless gate: every op has an
    /// allocation-free emitter, so its steady-state call allocates nothing.</summary>
    public const string StaticMlp = """
        program @mlp(%x: tensor<f32, [4, 16]>) -> (tensor<f32, [4, 16]>) {
          weight @w1 : tensor<f32, [32, 16]>
          weight @b1 : tensor<f32, [32]>
          weight @w2 : tensor<f32, [16, 32]>
          weight @b2 : tensor<f32, [16]>
          weight @scale : tensor<f32, [16]>
        ^entry(%x: tensor<f32, [4, 16]>):
          %h0 = linear(%x, @w1, @b1)
          %h = add(%h0, @b1)
          %a = relu(%h)
          %g = sigmoid(%h)
          %m = mul(%a, %g)
          %y = linear(%m, @w2, @b2)
          %r = add(%y, %x)
          %t = tanh(%r)
          %s = mul(%t, @scale)
          %mx = maximum(%s, %x)
          %sm = softmax(%mx) {dim = -1}
          %o = add(%sm, %r)
          return %o
        }
        """;

    /// <summary>Two blocks that jump into each other, each entered from the entry: a loop with two
    /// entries (irreducible), which the host emits with labels and goto.</summary>
    public const string Irreducible = """
        program @irreducible(%x: tensor<f32, [2, 2]>, %n: int) -> (tensor<f32, [2, 2]>) {
        ^entry(%x: tensor<f32, [2, 2]>, %n: int):
          %z = const 2 : int
          %c = host.gt(%n, %z)
          branch %c, ^a(%x, %z, %n), ^b(%x, %z, %n)
        ^a(%ha: tensor<f32, [2, 2]>, %ia: int, %na: int):
          %ha2 = tanh(%ha)
          %onea = const 1 : int
          %ia2 = host.add(%ia, %onea)
          %da = host.lt(%ia2, %na)
          branch %da, ^b(%ha2, %ia2, %na), ^done(%ha2)
        ^b(%hb: tensor<f32, [2, 2]>, %ib: int, %nb: int):
          %hb2 = sigmoid(%hb)
          %oneb = const 1 : int
          %ib2 = host.add(%ib, %oneb)
          %db = host.lt(%ib2, %nb)
          branch %db, ^a(%hb2, %ib2, %nb), ^done(%hb2)
        ^done(%r: tensor<f32, [2, 2]>):
          return %r
        }
        """;

    /// <summary>The early-exit network on a batch of unknown size: every tensor has a dynamic
    /// dimension, so segments run the allocating kernels, with the same results.</summary>
    public static readonly string DynamicBatch = EarlyExit.Replace("[2, ", "[?, ").Replace("@early_exit", "@dynamic_batch");
}
