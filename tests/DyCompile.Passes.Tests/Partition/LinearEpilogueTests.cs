using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Partition;

namespace DyCompile.Passes.Tests.Partition;

/// <summary>Which linear → gelu pairs become one <see cref="LinearEpilogue"/> and which stay apart.</summary>
public class LinearEpilogueTests
{
    private static Graph Segment(string outputs, string body) => Partitioner.Partition(IRProgram.Parse($$"""
        program @p(%x: tensor<f32, [2, 8, 16]>) -> ({{outputs}}) {
          weight @w : tensor<f32, [32, 16]>
          weight @b : tensor<f32, [32]>
        ^entry(%x: tensor<f32, [2, 8, 16]>):
        {{body}}
        }
        """)).Segments.Single().Graph;

    private static string[] Describe(Graph graph) => FusionPlanner.Plan(graph).Select(s => s switch
    {
        LinearEpilogue l => $"linear+{l.Activation.Op}",
        ElementwiseLoop l => $"loop({string.Join(" ", l.Nodes.Select(n => n.Op))})",
        NodeStep n => n.Node.Op,
        _ => "?",
    }).ToArray();

    private const string Out = "tensor<f32, [2, 8, 32]>";

    [Fact]
    public void GeluOfALinearGoesIntoTheProduct()
    {
        var plan = FusionPlanner.Plan(Segment(Out, """
              %h = linear(%x, @w, @b)
              %g = gelu(%h)
              return %g
            """));
        var fused = Assert.IsType<LinearEpilogue>(Assert.Single(plan));
        Assert.Equal("g", fused.Output.Name);
        Assert.Equal([fused.Output], fused.Defines);
        Assert.Equal(fused.Linear.Operands, fused.Reads);
    }

    [Fact]
    public void ALinearReadAgainOrReturnedOrAGeluInsideALongerLoopStaysApart()
    {
        // The product is read after the gelu: it must be stored as it is.
        Assert.Equal(["linear", "loop(gelu mul)"], Describe(Segment(Out, """
              %h = linear(%x, @w, @b)
              %g = gelu(%h)
              %y = mul(%g, %h)
              return %y
            """)));
        // The product is a segment output.
        Assert.Equal(["linear", "gelu"], Describe(Segment($"{Out}, {Out}", """
              %h = linear(%x, @w, @b)
              %g = gelu(%h)
              return %g, %h
            """)));
        // A relu is not gelu.
        Assert.Equal(["linear", "relu"], Describe(Segment(Out, """
              %h = linear(%x, @w, @b)
              %g = relu(%h)
              return %g
            """)));
    }
}
