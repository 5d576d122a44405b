using DyCompile.IR;
using DyCompile.Passes.Partition;

namespace DyCompile.Passes.Tests.Partition;

/// <summary>Golden partitions: IR text in, partition text out. Each expected text was checked by
/// hand against the rules (segments end only at host decisions; loops keep one body segment;
/// equal segments share a distinct id; cheap branches disappear into a where).</summary>
public class PartitionGoldenTests
{
    private static PartitionedProgram Partition(string text)
    {
        var program = IRProgram.Parse(text);
        Assert.Empty(Verifier.Errors(program));
        var partitioned = Partitioner.Partition(program);
        Assert.Empty(Verifier.Errors(partitioned.Simplified));
        return partitioned;
    }

    [Fact]
    public void EarlyExit()
    {
        const string expected = """
        partition @early_exit: 2 segment(s), 2 distinct
        segment s0 = d0 in ^entry (%x, @w1, @b1, @head, @hb) -> (%conf, %l1, %h): linear relu linear softmax max item
        segment s1 = d1 in ^deep (%h2, @w2, @head, @hb) -> (%l2): matmul tanh add linear
        host {
        ^entry(%x: tensor<f32, [2, 8]>, %thr: float):
          %conf, %l1, %h = call s0(%x, @w1, @b1, @head, @hb)
          %stop = host.gt(%conf, %thr) : bool
          branch %stop, ^exit(%l1), ^deep(%h)
        ^deep(%h2: tensor<f32, [2, 8]>):
          %l2 = call s1(%h2, @w2, @head, @hb)
          jump ^exit(%l2)
        ^exit(%out: tensor<f32, [2, 4]>):
          return %out
        }

        """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Partition(PartitionPrograms.EarlyExit).ToText());
    }

    [Fact]
    public void LoopWithBreak()
    {
        const string expected = """
        partition @loop_break: 1 segment(s), 1 distinct
        segment s0 = d0 in ^body (%hb, @w) -> (%v, %u): matmul tanh add abs mean item
        host {
        ^entry(%x: tensor<f32, [4, 4]>, %n: int, %limit: float):
          %zero = const 0 : int
          jump ^header(%x, %zero, %n, %limit)
        ^header(%h: tensor<f32, [4, 4]>, %i: int, %hn: int, %hl: float):
          %more = host.lt(%i, %hn) : bool
          branch %more, ^body(%h, %i, %hn, %hl), ^done(%h, %i)
        ^body(%hb: tensor<f32, [4, 4]>, %ib: int, %bn: int, %bl: float):
          %one = const 1 : int
          %i2 = host.add(%ib, %one) : int
          %v, %u = call s0(%hb, @w)
          %big = host.gt(%v, %bl) : bool
          branch %big, ^done(%u, %i2), ^header(%u, %i2, %bn, %bl)
        ^done(%r: tensor<f32, [4, 4]>, %k: int):
          return %r, %k
        }

        """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Partition(PartitionPrograms.LoopWithBreak).ToText());
    }

    [Fact]
    public void NestedBranches()
    {
        const string expected = """
        partition @nested: 5 segment(s), 5 distinct
        segment s0 = d0 in ^entry (%x) -> (%v): sum item
        segment s1 = d1 in ^inner_t (%p, @w) -> (%e): matmul
        segment s2 = d2 in ^inner_f (%q) -> (%e2): softmax
        segment s3 = d3 in ^outer_f (%z, @w) -> (%z2): transpose matmul
        segment s4 = d4 in ^join (%o) -> (%r): sigmoid
        host {
        ^entry(%x: tensor<f32, [3, 3]>, %a: float, %b: float):
          %v = call s0(%x)
          %c1 = host.gt(%v, %a) : bool
          branch %c1, ^outer_t(%x, %v, %b), ^outer_f(%x)
        ^outer_t(%y: tensor<f32, [3, 3]>, %v2: float, %b2: float):
          %c2 = host.gt(%v2, %b2) : bool
          branch %c2, ^inner_t(%y), ^inner_f(%y)
        ^inner_t(%p: tensor<f32, [3, 3]>):
          %e = call s1(%p, @w)
          jump ^join(%e)
        ^inner_f(%q: tensor<f32, [3, 3]>):
          %e2 = call s2(%q)
          jump ^join(%e2)
        ^outer_f(%z: tensor<f32, [3, 3]>):
          %z2 = call s3(%z, @w)
          jump ^join(%z2)
        ^join(%o: tensor<f32, [3, 3]>):
          %r = call s4(%o)
          return %r
        }

        """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Partition(PartitionPrograms.NestedBranches).ToText());
    }

    [Fact]
    public void RepeatedLayer()
    {
        const string expected = """
        partition @repeat: 2 segment(s), 1 distinct
        segment s0 = d0 in ^entry (%x, @w, @b) -> (%r0): linear relu
        segment s1 = d0 in ^body (%hb, @w, @b) -> (%r1): linear relu
        host {
        ^entry(%x: tensor<f32, [2, 6]>, %n: int):
          %zero = const 0 : int
          %r0 = call s0(%x, @w, @b)
          jump ^header(%r0, %zero, %n)
        ^header(%h: tensor<f32, [2, 6]>, %i: int, %hn: int):
          %more = host.lt(%i, %hn) : bool
          branch %more, ^body(%h, %i, %hn), ^done(%h)
        ^body(%hb: tensor<f32, [2, 6]>, %ib: int, %bn: int):
          %one = const 1 : int
          %i2 = host.add(%ib, %one) : int
          %r1 = call s1(%hb, @w, @b)
          jump ^header(%r1, %i2, %bn)
        ^done(%out: tensor<f32, [2, 6]>):
          return %out
        }

        """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Partition(PartitionPrograms.RepeatedLayer).ToText());
    }

    [Fact]
    public void CheapBranch()
    {
        const string expected = """
        partition @cheap: 1 segment(s), 1 distinct
        segment s0 = d0 in ^entry (%x, %t) -> (%r): mean relu neg mul tensor.from_scalar gt where exp
        host {
        ^entry(%x: tensor<f32, [2, 3]>, %t: float):
          %r = call s0(%x, %t)
          return %r
        }

        """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Partition(PartitionPrograms.CheapBranch).ToText());
    }
}
