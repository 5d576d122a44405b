namespace DyCompile.Gpu.Tests;

/// <summary>Dynamic programs whose segments need only elementwise ops, views and host scalar
/// work: what the GPU core runs on its own (the op kernels come on top).</summary>
internal static class GpuSamplePrograms
{
    /// <summary>A loop whose condition reads a scalar from the device every iteration.</summary>
    public const string GrowUntil = """
        program @grow_until(%x: tensor<f32, [1]>, %limit: float) -> (tensor<f32, [1]>, int) {
          weight @rate : tensor<f32, [1]>
        ^entry(%x: tensor<f32, [1]>, %limit: float):
          %zero = const 0 : int
          jump ^head(%x, %zero, %limit)
        ^head(%h: tensor<f32, [1]>, %i: int, %l: float):
          %v = item(%h)
          %small = host.lt(%v, %l)
          %ten = const 10 : int
          %room = host.lt(%i, %ten)
          %go = host.and(%small, %room)
          branch %go, ^body(%h, %i, %l), ^done(%h, %i)
        ^body(%hb: tensor<f32, [1]>, %ib: int, %lb: float):
          %a = abs(%hb)
          %m = mul(%a, @rate)
          %g = add(%m, %hb)
          %c = const [0.25] : tensor<f32, []>
          %s = tensor.from_scalar(%lb)
          %t = mul(%s, %c)
          %n = add(%g, %t)
          %one = const 1 : int
          %i2 = host.add(%ib, %one)
          jump ^head(%n, %i2, %lb)
        ^done(%r: tensor<f32, [1]>, %k: int):
          return %r, %k
        }
        """;

    /// <summary>Broadcasts, comparisons, where, casts and views; a branch on a read-back element
    /// picks one of two elementwise tails, and the views of the taken side are the results.</summary>
    public const string MaskedBranch = """
        program @masked(%x: tensor<f32, [2, 3, 4]>, %b: tensor<f32, [4]>, %probe: tensor<f32, [1]>, %thr: float) -> (tensor<f32, [6, 4]>, tensor<i32, [2, 3, 4]>, tensor<bool, [2, 3, 4]>) {
          weight @col : tensor<f32, [3, 1]>
        ^entry(%x: tensor<f32, [2, 3, 4]>, %b: tensor<f32, [4]>, %probe: tensor<f32, [1]>, %thr: float):
          %xb = add(%x, %b)
          %xc = mul(%xb, @col)
          %mask = gt(%xc, %b)
          %neg = neg(%xc)
          %w = where(%mask, %xc, %neg)
          %i = cast(%w) {dtype = i32}
          %j = mul(%i, %i)
          %k = maximum(%j, %i)
          %flat = reshape(%w) {shape = [24]}
          %one = unsqueeze(%flat) {dim = 0}
          %sq = squeeze(%one) {dims = [0]}
          %e = exp(%sq)
          %e3 = reshape(%e) {shape = [2, 3, 4]}
          %pick = reshape(%e3) {shape = [1, 24]}
          %p0 = reshape(%pick) {shape = [24]}
          %h = reshape(%p0) {shape = [2, 3, 4]}
          %thrt = tensor.from_scalar(%thr)
          %big = ge(%h, %thrt)
          %bf = cast(%big) {dtype = f32}
          %mixed = add(%h, %bf)
          %pe = exp(%probe)
          %pv = item(%pe)
          %hot = host.gt(%pv, %thr)
          branch %hot, ^hot(%mixed, %k, %mask), ^cold(%w, %k, %mask)
        ^hot(%eh: tensor<f32, [2, 3, 4]>, %kh: tensor<i32, [2, 3, 4]>, %mh: tensor<bool, [2, 3, 4]>):
          %th = tanh(%eh)
          %rh = reshape(%th) {shape = [6, 4]}
          return %rh, %kh, %mh
        ^cold(%ec: tensor<f32, [2, 3, 4]>, %kc: tensor<i32, [2, 3, 4]>, %mc: tensor<bool, [2, 3, 4]>):
          %sc = sigmoid(%ec)
          %rc = reshape(%sc) {shape = [6, 4]}
          return %rc, %kc, %mc
        }
        """;

    /// <summary>Dynamic batch: every tensor has a `?` dim, so shapes come from the shape rules at
    /// run time and tensors live in grown buffers; a loop carries the state.</summary>
    public const string DynamicLoop = """
        program @dynamic_loop(%x: tensor<f32, [?, 3]>, %y: tensor<f32, [1, 3]>, %n: int) -> (tensor<f32, [?, 3]>, tensor<bool, [?, 3]>) {
        ^entry(%x: tensor<f32, [?, 3]>, %y: tensor<f32, [1, 3]>, %n: int):
          %zero = const 0 : int
          jump ^head(%x, %y, %zero, %n)
        ^head(%h: tensor<f32, [?, 3]>, %hy: tensor<f32, [1, 3]>, %i: int, %hn: int):
          %more = host.lt(%i, %hn)
          branch %more, ^body(%h, %hy, %i, %hn), ^done(%h, %hy)
        ^body(%hb: tensor<f32, [?, 3]>, %by: tensor<f32, [1, 3]>, %ib: int, %bn: int):
          %s = sub(%hb, %by)
          %t = tanh(%s)
          %u = add(%t, %hb)
          %v = reshape(%u) {shape = [-1, 3]}
          %one = const 1 : int
          %i2 = host.add(%ib, %one)
          jump ^head(%v, %by, %i2, %bn)
        ^done(%r: tensor<f32, [?, 3]>, %dy: tensor<f32, [1, 3]>):
          %m = lt(%r, %dy)
          return %r, %m
        }
        """;

    /// <summary>A loop bounded by a run-time size (<c>host.dim</c> of a <c>?</c> dimension): the
    /// host reads the size from the device tensor's shape, not from its elements.</summary>
    public const string RowCount = """
        program @row_count(%x: tensor<f32, [?, 4]>) -> (tensor<f32, [?, 4]>, int) {
        ^entry(%x: tensor<f32, [?, 4]>):
          %zero = const 0 : int
          %n = host.dim(%x, %zero)
          jump ^head(%x, %zero, %n)
        ^head(%h: tensor<f32, [?, 4]>, %i: int, %m: int):
          %go = host.lt(%i, %m)
          branch %go, ^body(%h, %i, %m), ^done(%h, %i)
        ^body(%hb: tensor<f32, [?, 4]>, %ib: int, %mb: int):
          %t = tanh(%hb)
          %a = add(%t, %hb)
          %one = const 1 : int
          %i2 = host.add(%ib, %one)
          jump ^head(%a, %i2, %mb)
        ^done(%r: tensor<f32, [?, 4]>, %k: int):
          return %r, %k
        }
        """;
}
