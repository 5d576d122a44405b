using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Memory;
using DyCompile.Passes.Partition;

namespace DyCompile.Passes.Tests.Partition;

/// <summary>Which conv2d → add → relu shapes become one <see cref="ConvolutionEpilogue"/> and
/// which stay apart, and the buffers the fused step may share.</summary>
public class ConvolutionEpilogueTests
{
    private static Graph Segment(string body) => Partitioner.Partition(IRProgram.Parse($$"""
        program @p(%x: tensor<f32, [1, 4, 6, 6]>) -> (tensor<f32, [1, 4, 6, 6]>) {
          weight @w : tensor<f32, [4, 4, 3, 3]>
          weight @b : tensor<f32, [4]>
        ^entry(%x: tensor<f32, [1, 4, 6, 6]>):
        {{body}}
        }
        """)).Segments.Single().Graph;

    private const string Conv = "conv2d(%x, @w, @b) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}";

    private const string SoftmaxOfR = "softmax(%r) {dim = -1}";

    private static string[] Describe(Graph graph) => FusionPlanner.Plan(graph).Select(s => s switch
    {
        ConvolutionEpilogue c => $"conv2d+{(c.Residual is null ? "" : "residual:" + c.Residual.Name + "+")}{(c.Relu ? "relu" : "")}",
        ElementwiseLoop l => $"loop({string.Join(" ", l.Nodes.Select(n => n.Op))})",
        NodeStep n => n.Node.Op,
        _ => "?",
    }).ToArray();

    [Fact]
    public void ReluAfterAConvolutionGoesIntoItsStore()
    {
        Assert.Equal(["conv2d+relu"], Describe(Segment($"""
              %c = {Conv}
              %r = relu(%c)
              return %r
            """)));
    }

    [Fact]
    public void ResidualAddAndReluGoIntoTheStoreInEitherOperandOrder()
    {
        Assert.Equal(["conv2d+residual:x+relu"], Describe(Segment($"""
              %c = {Conv}
              %a = add(%x, %c)
              %r = relu(%a)
              return %r
            """)));
        Assert.Equal(["conv2d+residual:x+"], Describe(Segment($"""
              %c = {Conv}
              %a = add(%c, %x)
              return %a
            """)));
    }

    [Fact]
    public void AConvolutionReadTwiceOrABroadcastAddStaysApart()
    {
        // The convolution's result is read again after the relu: it must be stored as it is.
        Assert.Equal(["conv2d", "loop(relu add)"], Describe(Segment($"""
              %c = {Conv}
              %r = relu(%c)
              %s = add(%r, %c)
              return %s
            """)));
        // A broadcast operand is not a residual of the convolution's shape.
        Assert.Equal(["conv2d", "loop(add relu)"], Describe(Segment($"""
              %c = {Conv}
              %k = const [0.5] : tensor<f32, [1]>
              %a = add(%c, %k)
              %r = relu(%a)
              return %r
            """)).Where(s => s != "const").ToArray());
        // The sum before the relu is also a result: the loop stores it, so it stays a loop.
        Assert.Equal(["conv2d", "loop(add relu)"], Describe(Segment($"""
              %c = {Conv}
              %a = add(%c, %x)
              %r = relu(%a)
              %s = {SoftmaxOfR.Replace("%r", "%a")}
              %t = add(%s, %r)
              return %t
            """)).Take(2).ToArray());
    }

    [Fact]
    public void TheResidualMayShareTheOutputBufferButTheConvolutionInputMayNot()
    {
        // %h dies at the fused step as its input and %g as its residual: the output may take
        // %g's buffer (read elementwise before each store) but never %h's.
        var graph = Segment($"""
              %g = relu(%x)
              %h = exp(%x)
              %c = {Conv.Replace("%x", "%h")}
              %a = add(%c, %g)
              %r = relu(%a)
              %o = {SoftmaxOfR}
              return %o
            """);
        var steps = FusionPlanner.Plan(graph);
        var fused = Assert.Single(steps.OfType<ConvolutionEpilogue>());
        var outputs = graph.Outputs.ToHashSet();
        var plan = MemoryPlanner.Plan(steps, v => v.Type is TensorType { IsStatic: true } && !outputs.Contains(v));
        Assert.NotEqual(plan.BufferOf[fused.Convolution.Operands[0]], plan.BufferOf[fused.Output]);
        Assert.Equal(plan.BufferOf[fused.Residual!], plan.BufferOf[fused.Output]);
    }
}
