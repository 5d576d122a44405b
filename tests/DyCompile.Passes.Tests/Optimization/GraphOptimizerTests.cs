using DyCompile.IR;
using DyCompile.Passes.Hashing;
using DyCompile.Passes.Optimization;
using DyCompile.Passes.Rules;
using DyCompile.Runtime;

namespace DyCompile.Passes.Tests.Optimization;

/// <summary>Graphs whose optimum is known by hand come out optimal; the report says what happened.</summary>
public sealed class GraphOptimizerTests
{
    private static (Graph Graph, Value A, Value B, Value C) Chain(int m, int k, int n, int p, bool leftFirst)
    {
        var g = new GraphBuilder("chain");
        Value a = g.Input("a", IRType.F32(m, k)), b = g.Input("b", IRType.F32(k, n)), c = g.Input("c", IRType.F32(n, p));
        return (g.Build(leftFirst ? g.MatMul(g.MatMul(a, b), c) : g.MatMul(a, g.MatMul(b, c))), a, b, c);
    }

    /// <summary>FLOPs of the two orders: (A·B)·C costs 2mkn + 2mnp, A·(B·C) costs 2knp + 2mkp.</summary>
    private static bool LeftIsCheaper(int m, int k, int n, int p) => 2L * m * k * n + 2L * m * n * p < 2L * k * n * p + 2L * m * k * p;

    private static bool IsLeftAssociated(Graph graph)
    {
        var root = graph.Nodes.Single(n => n.Results.Contains(graph.Outputs[0]));
        return root.Op == "matmul" && root.Operands[0].Kind == ValueKind.Result && root.Operands[1].Kind == ValueKind.Parameter;
    }

    [Theory]
    [InlineData(2, 64, 2, 64, false)] // written A·(B·C): B·C is 64×64, (A·B)·C goes through 2×2 — reassociate left
    [InlineData(64, 2, 64, 2, true)]  // written (A·B)·C: A·B is 64×64, A·(B·C) goes through 2×2 — reassociate right
    [InlineData(2, 64, 2, 64, true)]  // already optimal: stays
    [InlineData(64, 2, 64, 2, false)] // already optimal: stays
    public void A_matmul_chain_takes_the_cheaper_order(int m, int k, int n, int p, bool writtenLeftFirst)
    {
        var (graph, _, _, _) = Chain(m, k, n, p, writtenLeftFirst);
        var result = GraphOptimizer.Optimize(graph);

        Assert.Equal(2, result.Graph.Nodes.Count(x => x.Op == "matmul"));
        Assert.Equal(LeftIsCheaper(m, k, n, p), IsLeftAssociated(result.Graph));
        Assert.True(result.Report.CostAfter <= result.Report.CostBefore);
        if (writtenLeftFirst != LeftIsCheaper(m, k, n, p))
        {
            Assert.True(result.Report.CostAfter < result.Report.CostBefore);
            Assert.Contains(result.Report.RulesFired.Keys, r => r.StartsWith("matmul-assoc", StringComparison.Ordinal));
        }
    }

    private static Graph ConvBatchNormRelu(out Dictionary<string, Tensor> weights)
    {
        var g = new GraphBuilder("conv_bn_relu");
        var x = g.Input("x", IRType.F32(1, 3, 8, 8));
        var w = g.Weight("w", IRType.F32(8, 3, 3, 3));
        var b = g.Weight("b", IRType.F32(8));
        Value[] bn = [g.Weight("mean", IRType.F32(8)), g.Weight("var", IRType.F32(8)), g.Weight("gamma", IRType.F32(8)), g.Weight("beta", IRType.F32(8))];
        var conv = g.Op("conv2d", [x, w, b], new Attrs { { "stride", new[] { 1 } }, { "padding", new[] { 1 } }, { "dilation", new[] { 1 } }, { "groups", 1 } });
        var norm = g.Op("batch_norm", [conv, .. bn], new Attrs { { "eps", 1e-5f } });
        var graph = g.Build(g.Relu(norm));

        var random = new Random(7);
        Tensor Rand(int[] shape, double lo, double hi) =>
            Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (s, d) => s * d)).Select(_ => (float)(lo + random.NextDouble() * (hi - lo))).ToArray(), shape);
        weights = new Dictionary<string, Tensor>
        {
            ["w"] = Rand([8, 3, 3, 3], -1, 1), ["b"] = Rand([8], -1, 1), ["mean"] = Rand([8], -0.5, 0.5),
            ["var"] = Rand([8], 0.1, 2), ["gamma"] = Rand([8], 0.5, 1.5), ["beta"] = Rand([8], -0.5, 0.5),
        };
        return graph;
    }

    private static void AssertSameOutputs(Graph expected, Graph actual, IReadOnlyDictionary<string, Tensor> weights)
    {
        var input = Tensor.FromArray(Enumerable.Range(0, 192).Select(i => MathF.Sin(i * 0.37f) * 2).ToArray(), 1, 3, 8, 8);
        var e = new Interpreter().Run(expected, [input], weights);
        var a = new Interpreter().Run(actual, [input], weights);
        Assert.Null(OutputComparison.Difference(e, a, 1e-4, 1e-5));
    }

    [Fact]
    public void Conv_batchnorm_relu_becomes_one_conv_with_folded_weights_and_a_relu()
    {
        var graph = ConvBatchNormRelu(out var weights);
        var result = GraphOptimizer.Optimize(graph, new OptimizerOptions { Weights = weights });

        // Known weights fold completely: two constants (weight, bias), the conv, the relu.
        Assert.Equal(["const", "const", "conv2d", "relu"], result.Graph.Nodes.Select(n => n.Op).Order(StringComparer.Ordinal));
        Assert.Contains("batchnorm-into-conv", result.Report.RulesFired.Keys);
        Assert.True(result.Report.CostAfter < result.Report.CostBefore);
        AssertSameOutputs(graph, result.Graph, weights);
    }

    [Fact]
    public void A_known_variance_that_cancels_eps_keeps_its_batch_norm()
    {
        // σ² + ε = 0 in channel 3: the batch norm divides by zero (±∞), the folded weights W·∞
        // would give NaN where a weight is 0, so the batch norm is not folded.
        var graph = ConvBatchNormRelu(out var weights);
        weights["var"].Floats[3] = -1e-5f;
        var result = GraphOptimizer.Optimize(graph, new OptimizerOptions { Weights = weights });
        Assert.DoesNotContain("batchnorm-into-conv", result.Report.RulesFired.Keys);
        Assert.Contains(result.Graph.Nodes, n => n.Op == "batch_norm");
    }

    [Fact]
    public void Conv_batchnorm_relu_with_unknown_weights_folds_them_as_ops_on_the_weights()
    {
        var graph = ConvBatchNormRelu(out var weights);
        var result = GraphOptimizer.Optimize(graph);

        var ops = result.Graph.Nodes.Select(n => n.Op).ToArray();
        Assert.Equal(1, ops.Count(o => o == "conv2d"));
        Assert.Equal(1, ops.Count(o => o == "relu"));
        Assert.DoesNotContain("batch_norm", ops);
        // Everything but the conv and the relu reads only weights and constants: computed once.
        var perCall = result.Graph.Nodes.Where(n => n.Operands.Any(v => v.Kind == ValueKind.Parameter) || n.Op is "relu").Select(n => n.Op);
        Assert.Equal(["conv2d", "relu"], perCall.Order(StringComparer.Ordinal));
        AssertSameOutputs(graph, result.Graph, weights);
    }

    [Fact]
    public void A_double_transpose_disappears()
    {
        var g = new GraphBuilder("tt");
        var x = g.Input("x", IRType.F32(2, 3, 4));
        var t1 = g.Op("transpose", [x], new Attrs { { "dim0", 0 }, { "dim1", 2 } });
        var t2 = g.Op("transpose", [t1], new Attrs { { "dim0", -1 }, { "dim1", 0 } });
        var result = GraphOptimizer.Optimize(g.Build(g.Relu(t2)));

        Assert.Equal(["relu"], result.Graph.Nodes.Select(n => n.Op));
        Assert.Same(x, result.Graph.Nodes[0].Operands[0]);
    }

    [Fact]
    public void A_permutation_chain_that_composes_to_the_identity_disappears()
    {
        var g = new GraphBuilder("perm");
        var x = g.Input("x", IRType.F32(2, 3, 4));
        var p1 = g.Op("permute", [x], new Attrs { { "dims", new[] { 1, 2, 0 } } });
        var p2 = g.Op("permute", [p1], new Attrs { { "dims", new[] { 2, 0, 1 } } });
        var result = GraphOptimizer.Optimize(g.Build(p2));

        Assert.Empty(result.Graph.Nodes);
        Assert.Same(x, result.Graph.Outputs[0]);
    }

    [Fact]
    public void Fast_math_rules_apply_only_when_asked_for()
    {
        var g = new GraphBuilder("zero");
        var x = g.Input("x", IRType.F32(4));
        var graph = g.Build(g.Mul(x, g.Const(IRType.F32(4), [0, 0, 0, 0])));

        var strict = GraphOptimizer.Optimize(graph);
        Assert.Contains(strict.Graph.Nodes, n => n.Op == "mul");
        Assert.DoesNotContain("mul-zero", strict.Report.RulesFired.Keys);

        var fast = GraphOptimizer.Optimize(graph, new OptimizerOptions { FastMath = true });
        Assert.DoesNotContain(fast.Graph.Nodes, n => n.Op == "mul");
        Assert.Contains("mul-zero", fast.Report.RulesFired.Keys);
        var output = (Tensor)new Interpreter().Run(fast.Graph, [Tensor.FromArray([1f, -2f, 3f, 4f], 4)])[0];
        Assert.Equal(new[] { 0f, 0f, 0f, 0f }, output.ToFloatArray());
    }

    [Fact]
    public void The_report_describes_the_run()
    {
        var (graph, _, _, _) = Chain(64, 2, 64, 2, leftFirst: true);
        var report = GraphOptimizer.Optimize(graph).Report;

        Assert.True(report.Iterations >= 1);
        Assert.True(report.EGraphNodes > graph.Nodes.Length);
        Assert.True(report.EGraphClasses > 0);
        Assert.True(report.RulesFired.Values.All(v => v > 0));
        Assert.Equal(CostModel.Default.OfGraph(graph), report.CostBefore);
        Assert.Contains("matmul-assoc", report.ToString());
    }

    [Fact]
    public void The_cost_model_counts_flops_bytes_and_launches_and_is_tunable()
    {
        var (graph, _, _, _) = Chain(2, 3, 4, 5, leftFirst: true);
        // (2×3)·(3×4): 2·3·8 flops, (6+12+8)·4 bytes; (2×4)·(4×5): 4·2·10 flops, (8+20+10)·4 bytes.
        double flops = 48 + 80, bytes = (26 + 38) * 4;
        Assert.Equal(flops + bytes + 2 * 2000, CostModel.Default.OfGraph(graph));
        var tuned = new CostModel { FlopWeight = 2, ByteWeight = 0, LaunchCost = 10 };
        Assert.Equal(2 * flops + 2 * 10, tuned.OfGraph(graph));
    }

    [Fact]
    public void Self_check_catches_an_unsound_rule_and_names_it()
    {
        // exp(x) → x is wrong everywhere; it is registered only here.
        var unsound = TensorRule.Parse("exp-is-identity", RuleKind.Exact, "(exp ?x)", m => m["?x"]);
        var g = new GraphBuilder("victim");
        var x = g.Input("x", IRType.F32(3, 4));
        var graph = g.Build(g.Relu(g.Exp(g.Relu(g.Relu(x)))));

        var e = Assert.Throws<OptimizerSelfCheckException>(() =>
            GraphOptimizer.Optimize(graph, new OptimizerOptions { Rules = [.. TensorRules.Default, unsound], SelfCheck = true }));
        Assert.Contains("exp-is-identity", e.Message);
        Assert.Contains("exp-is-identity", e.RulesApplied);
        Assert.Equal(["exp-is-identity"], e.Suspects);

        // The sound rules alone pass the same check.
        var fine = GraphOptimizer.Optimize(graph, new OptimizerOptions { SelfCheck = true });
        Assert.DoesNotContain("exp-is-identity", fine.Report.RulesFired.Keys);
    }

    [Fact]
    public void Self_check_is_on_by_default_in_tests()
    {
        Assert.True(new OptimizerOptions().SelfCheck);
    }

    [Fact]
    public void Matmuls_sharing_an_operand_can_merge_and_stay_correct()
    {
        var g = new GraphBuilder("shared");
        var x = g.Input("x", IRType.F32(4, 8));
        Value w1 = g.Weight("w1", IRType.F32(8, 3)), w2 = g.Weight("w2", IRType.F32(8, 5));
        var graph = g.Build(g.Relu(g.MatMul(x, w1)), g.Relu(g.MatMul(x, w2)));
        // Make kernel launches dear: one product plus two slices then beats two products.
        var options = new OptimizerOptions { Rules = [TensorRules.Get("matmul-merge")], CostModel = new CostModel { LaunchCost = 1e6, ViewOps = new HashSet<string> { "slice" } } };
        var result = GraphOptimizer.Optimize(graph, options);

        Assert.Contains("matmul-merge", result.Report.RulesFired.Keys);
        Assert.True(result.Graph.Nodes.Count(n => n.Op == "matmul") == 1, result.Report + "\n" + result.Graph);
        Assert.Equal(1, result.Graph.Nodes.Count(n => n.Op == "concat"));
    }
}
