using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Partition;

namespace DyCompile.Passes.Tests.Partition;

/// <summary>Which transposes, permutes and scales around a batched matmul the fusion planner
/// folds into one <see cref="PermutedProduct"/>, and which stay steps of their own.</summary>
public class PermutedProductTests
{
    private const string Projection = "tensor<f32, [2, 6, 3, 4]>";

    private static Graph Segment(string outputs, string body) => Partitioner.Partition(IRProgram.Parse($$"""
        program @p(%q: {{Projection}}, %k: {{Projection}}, %v: {{Projection}}) -> ({{outputs}}) {
        ^entry(%q: {{Projection}}, %k: {{Projection}}, %v: {{Projection}}):
        {{body}}
        }
        """)).Segments.Single().Graph;

    private static string[] Describe(Graph graph) => FusionPlanner.Plan(graph).Select(s => s switch
    {
        PermutedProduct p => $"matmul+[{string.Join(" ", p.Absorbed.Where(n => n != p.MatMul).Select(n => n.Op))}]",
        ElementwiseLoop l => $"loop({string.Join(" ", l.Nodes.Select(n => n.Op))})",
        NodeStep n => n.Node.Op,
        _ => "?",
    }).ToArray();

    private const string Attention = """
          %qh = transpose(%q) {dim0 = 1, dim1 = 2}
          %s = const [0.5] : tensor<f32, [1]>
          %qs = mul(%qh, %s)
          %kt = permute(%k) {dims = [0, 2, 3, 1]}
          %scores = matmul(%qs, %kt)
          %p = softmax(%scores) {dim = -1}
          %vh = transpose(%v) {dim0 = 1, dim1 = 2}
          %o = matmul(%p, %vh)
          %ot = transpose(%o) {dim0 = 1, dim1 = 2}
          %y = reshape(%ot) {shape = [2, 6, 12]}
        """;

    [Fact]
    public void AttentionReadsItsHeadsInPlaceAndStoresItsResultThroughTheTranspose()
    {
        var plan = FusionPlanner.Plan(Segment("tensor<f32, [2, 6, 12]>", Attention + "  return %y\n"));
        var products = plan.OfType<PermutedProduct>().ToList();
        Assert.Equal(2, products.Count);
        Assert.DoesNotContain(plan, s => s is NodeStep { Node.Op: "transpose" or "permute" or "mul" or "matmul" });

        var scores = products[0];
        Assert.Equal(["q", "k"], new[] { scores.A.Name, scores.B.Name });
        Assert.Equal([0, 2, 1, 3], scores.AOrder);
        Assert.Equal([0, 2, 3, 1], scores.BOrder);
        Assert.Equal([0, 1, 2, 3], scores.ResultOrder);
        Assert.Equal("s", scores.Scale?.Name);
        Assert.Equal(["transpose", "mul", "permute", "matmul"], scores.Absorbed.Select(n => n.Op));
        Assert.Equal("scores", scores.Output.Name);

        var weighted = products[1];
        Assert.Equal(["p", "v"], new[] { weighted.A.Name, weighted.B.Name });
        Assert.Equal([0, 1, 2, 3], weighted.AOrder);
        Assert.Equal([0, 2, 1, 3], weighted.BOrder);
        Assert.Equal([0, 2, 1, 3], weighted.ResultOrder);
        Assert.Null(weighted.Scale);
        Assert.Equal("ot", weighted.Output.Name);
        Assert.Equal([weighted.Output], weighted.Defines);
        Assert.Equal([weighted.A, weighted.B], weighted.Reads);
    }

    [Fact]
    public void PermutesReadElsewhereReturnedOrNotReadableInPlaceStayApart()
    {
        const string Heads = "tensor<f32, [2, 3, 6, 4]>";
        // The transposed q is also returned: it must be stored; the permute of k still folds.
        Assert.Equal(["transpose", "matmul+[permute]"], Describe(Segment($"tensor<f32, [2, 3, 6, 6]>, {Heads}", """
              %qh = transpose(%q) {dim0 = 1, dim1 = 2}
              %kh = permute(%k) {dims = [0, 2, 3, 1]}
              %s = matmul(%qh, %kh)
              return %s, %qh
            """)));
        // The product is also read by a second op: its result permute stays a step.
        Assert.Equal(["matmul+[transpose permute]", "transpose", "relu"], Describe(Segment("tensor<f32, [2, 6, 3, 6]>, tensor<f32, [2, 3, 6, 6]>", """
              %qh = transpose(%q) {dim0 = 1, dim1 = 2}
              %kh = permute(%k) {dims = [0, 2, 3, 1]}
              %s = matmul(%qh, %kh)
              %st = transpose(%s) {dim0 = 1, dim1 = 2}
              %r = relu(%s)
              return %st, %r
            """)));
        // A moves its last dim into the rows (the GEMM would need A transposed), and the scale has
        // two elements: neither folds.
        Assert.Equal(["permute", "const", "mul", "matmul"], Describe(Segment("tensor<f32, [2, 6, 4, 4]>", """
              %qh = permute(%q) {dims = [0, 1, 3, 2]}
              %c = const [0.5, 2.0] : tensor<f32, [2, 1, 1, 1]>
              %qs = mul(%qh, %c)
              %s = matmul(%qs, %k)
              return %s
            """)));
        // A product with no permute or scale around it stays a matmul.
        Assert.Equal(["reshape", "matmul"], Describe(Segment("tensor<f32, [2, 6, 3, 3]>", """
              %kr = reshape(%k) {shape = [2, 6, 4, 3]}
              %s = matmul(%q, %kr)
              return %s
            """)));
    }
}
