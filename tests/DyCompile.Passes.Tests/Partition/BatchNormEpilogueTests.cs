using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Partition;

namespace DyCompile.Passes.Tests.Partition;

/// <summary>Which batch_norm → relu pairs become one <see cref="BatchNormEpilogue"/> and which stay apart.</summary>
public class BatchNormEpilogueTests
{
    private static Graph Segment(string outputs, string body) => Partitioner.Partition(IRProgram.Parse($$"""
        program @p(%x: tensor<f32, [2, 4, 5, 5]>) -> ({{outputs}}) {
          weight @m : tensor<f32, [4]>
          weight @v : tensor<f32, [4]>
          weight @g : tensor<f32, [4]>
          weight @b : tensor<f32, [4]>
        ^entry(%x: tensor<f32, [2, 4, 5, 5]>):
        {{body}}
        }
        """)).Segments.Single().Graph;

    private static string[] Describe(Graph graph) => FusionPlanner.Plan(graph).Select(s => s switch
    {
        BatchNormEpilogue b => $"batch_norm+{b.Relu.Op}",
        ElementwiseLoop l => $"loop({string.Join(" ", l.Nodes.Select(n => n.Op))})",
        NodeStep n => n.Node.Op,
        _ => "?",
    }).ToArray();

    private const string Out = "tensor<f32, [2, 4, 5, 5]>";

    [Fact]
    public void ReluOfABatchNormIsStoredByTheNormalization()
    {
        var plan = FusionPlanner.Plan(Segment(Out, """
              %n = batch_norm(%x, @m, @v, @g, @b) {eps = 0.00001}
              %r = relu(%n)
              return %r
            """));
        var fused = Assert.IsType<BatchNormEpilogue>(Assert.Single(plan));
        Assert.Equal("r", fused.Output.Name);
        Assert.Equal([fused.Output], fused.Defines);
        Assert.Equal(fused.BatchNorm.Operands, fused.Reads);
    }

    [Fact]
    public void ABatchNormReadAgainOrReturnedOrFollowedByAnotherOpStaysApart()
    {
        // The normalized tensor is read after the relu: it must be stored as it is.
        Assert.Equal(["batch_norm", "loop(relu add)"], Describe(Segment(Out, """
              %n = batch_norm(%x, @m, @v, @g, @b) {eps = 0.00001}
              %r = relu(%n)
              %y = add(%r, %n)
              return %y
            """)));
        // The normalized tensor is a segment output.
        Assert.Equal(["batch_norm", "relu"], Describe(Segment($"{Out}, {Out}", """
              %n = batch_norm(%x, @m, @v, @g, @b) {eps = 0.00001}
              %r = relu(%n)
              return %r, %n
            """)));
        // A sigmoid is not relu.
        Assert.Equal(["batch_norm", "sigmoid"], Describe(Segment(Out, """
              %n = batch_norm(%x, @m, @v, @g, @b) {eps = 0.00001}
              %r = sigmoid(%n)
              return %r
            """)));
    }
}
