using DyCompile.Passes.Tests.Partition;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Dynamic programs in IR text, one per control-flow shape the partition must handle.</summary>
internal static class SamplePrograms
{
    // The partition test programs are shared with the passes tests (linked in the project file).
    public const string EarlyExit = PartitionPrograms.EarlyExit;
    public const string LoopWithBreak = PartitionPrograms.LoopWithBreak;
    public const string NestedBranches = PartitionPrograms.NestedBranches;
    public const string RepeatedLayer = PartitionPrograms.RepeatedLayer;
    public const string CheapBranch = PartitionPrograms.CheapBranch;

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
