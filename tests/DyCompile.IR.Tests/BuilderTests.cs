using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

public class BuilderTests
{
    [Fact]
    public void InfersResultTypesThroughTheCatalog()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", IRType.F32(2, 3));
        var w = pb.Weight("w", IRType.F32(3, 5));
        var b = pb.Entry;
        var y = b.MatMul(x, w);
        var s = b.Sum(y, [1], keepdim: true);
        var i = b.ArgMax(y, -1);
        var c = b.Cast(i, DType.Int32);
        b.Return(y, s, c);
        var p = pb.Build();
        Assert.Equal(IRType.F32(2, 5), y.Type);
        Assert.Equal(IRType.F32(2, 1), s.Type);
        Assert.Equal(IRType.Tensor(DType.Int32, 2), c.Type);
        Assert.True(p.ResultTypes.SequenceEqual([y.Type, s.Type, c.Type]));
        Assert.Equal(["0", "1", "2", "3"], p.Entry.Nodes.Select(n => n.Result.Name));
        Assert.Empty(Verifier.Verify(p));
    }

    [Fact]
    public void RejectsAnApplicationTheCatalogRejects()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", IRType.F32(2, 3));
        var e = Assert.Throws<IRTypeException>(() => pb.Entry.MatMul(x, x));
        Assert.Equal("matmul: inner dimensions differ: [2, 3] @ [2, 3] (operands: tensor<f32, [2, 3]>, tensor<f32, [2, 3]>)", e.Message);
        var e2 = Assert.Throws<IRTypeException>(() => pb.Entry.Op("softmax", x));
        Assert.Equal("softmax: missing attribute 'dim' (int)", e2.Message);
    }

    [Fact]
    public void TheDocumentedExampleBuildsAndRuns()
    {
        // The example in the ProgramBuilder documentation, verbatim.
        var pb = new ProgramBuilder("double_until");
        var x = pb.Input("x", IRType.F32(4));
        var loop = pb.Block("loop");
        var exit = pb.Block("exit");
        var h = loop.Parameter("h", IRType.F32(4));
        pb.Entry.Jump(loop, x);
        var y = loop.Add(h, h);
        var big = loop.Host("gt", loop.Item(loop.Sum(y, [])), loop.Const(100f));
        loop.Branch(big, exit, [y], loop, [y]);
        exit.Return(exit.Parameter("r", IRType.F32(4)));
        IRProgram p = pb.Build();

        Assert.Empty(Verifier.Verify(p));
        var run = new Interpreter().Run(p, [Tensor.FromArray([1f, 2f, 3f, 4f], 4)]);
        // Sums 20, 40, 80, 160: the fourth doubling passes 100.
        Assert.Equal([16f, 32f, 48f, 64f], ((Tensor)run.Outputs[0]).Floats.ToArray());
        Assert.Equal(["entry", "loop", "loop", "loop", "loop", "exit"], run.Path);
    }

    [Fact]
    public void NodeAttributesAreReadOnly()
    {
        var gb = new GraphBuilder("g");
        var attrs = new Attrs { { "dim", 0 } };
        var y = gb.Op("softmax", [gb.Input("x", IRType.F32(3))], attrs);
        attrs["dim"] = 5; // the caller's instance stays theirs
        var node = gb.Build(y).Nodes.Single();
        Assert.Equal(0, node.Attrs.GetInt("dim"));
        Assert.Throws<InvalidOperationException>(() => node.Attrs["dim"] = 1);
        Assert.Throws<InvalidOperationException>(() => node.Attrs.Add("x", 1));
        var copy = node.Attrs.Clone();
        copy["dim"] = -1;
        Assert.Equal(-1, copy.GetInt("dim"));
    }

    [Fact]
    public void NamesMustBeSpellableAndUnique()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", IRType.F32(2));
        Assert.Throws<ArgumentException>(() => pb.Block("bad name"));
        Assert.Throws<ArgumentException>(() => pb.Entry.Op("relu", [x], null, "x"));
        Assert.Throws<ArgumentException>(() => pb.Weight("w-1", IRType.F32(2)));
        Assert.Throws<ArgumentException>(() => pb.Block("entry"));
        Assert.Equal("r", pb.Entry.Op("relu", [x], null, "r").Name);
    }

    [Fact]
    public void BlockBodyIsADataflowGraph()
    {
        var p = IRParser.Parse(InterpreterHostTestsProgram);
        var loop = p.FindBlock("loop")!;
        var g = loop.ToGraph(p.Weights);
        Assert.Equal(["i"], g.Inputs.Select(v => v.Name));
        Assert.Equal(["w"], g.Weights.Select(v => v.Name));
        Assert.Equal(["more", "j", "t"], g.Outputs.Select(v => v.Name));
        Assert.Equal(5, g.Nodes.Length);
        Assert.Empty(Verifier.Errors(g.ToProgram()));
    }

    private const string InterpreterHostTestsProgram = """
        program @g(%n: int) -> (tensor<f32, [2]>) {
          weight @w : tensor<f32, [2]>
        ^entry(%n: int):
          jump ^loop(%n)
        ^loop(%i: int):
          %one = const 1 : int
          %j = host.sub(%i, %one)
          %zero = const 0 : int
          %more = host.gt(%j, %zero)
          %t = relu(@w)
          branch %more, ^loop(%j), ^exit(%t)
        ^exit(%r: tensor<f32, [2]>):
          return %r
        }
        """;
}
