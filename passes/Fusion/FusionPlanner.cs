using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Passes.Fusion;

/// <summary>Groups a segment's nodes into <see cref="FusionStep"/>s. A maximal run of consecutive
/// fusible nodes (f32 elementwise ops with a scalar formula, all of one static result shape, each
/// operand of that shape or a single element) of at least two nodes becomes one
/// <see cref="ElementwiseLoop"/>; everything else stays a <see cref="NodeStep"/>. Consecutive runs
/// keep the node order, so the plan is valid whatever the data dependences inside the run. Then a
/// conv2d and the residual add / relu after it become a <see cref="ConvolutionEpilogue"/>, a linear
/// and the gelu after it a <see cref="LinearEpilogue"/>, a batch_norm and the relu after it a
/// <see cref="BatchNormEpilogue"/>, and a batched matmul with the permutes around it a
/// <see cref="PermutedProduct"/>.</summary>
public static class FusionPlanner
{
    private static readonly HashSet<string> Producers = ["matmul", "linear", "conv2d"];

    /// <summary>Most nodes in one fused loop. A loop's body is one C# expression per element, as
    /// deeply nested as its chain of ops, and the C# compiler binds nested unary operators and
    /// calls recursively; longer runs (a method of thousands of <c>x = -x;</c>) are cut into
    /// loops of this many nodes, which costs one store and load per element per cut.</summary>
    public const int MaxFusedNodes = 64;

    public static IReadOnlyList<FusionStep> Plan(Graph graph)
    {
        var nodes = graph.Nodes;
        var lastUse = new Dictionary<Value, int>();
        for (var i = 0; i < nodes.Length; i++)
            foreach (var v in nodes[i].Operands) lastUse[v] = i;
        var graphOutputs = graph.Outputs.ToHashSet();

        var steps = new List<FusionStep>();
        var i0 = 0;
        while (i0 < nodes.Length)
        {
            var shape = FusibleShape(nodes[i0]);
            var end = i0 + 1;
            if (shape is not null)
                while (end < nodes.Length && end - i0 < MaxFusedNodes && FusibleShape(nodes[end]) == shape) end++;
            if (shape is null || end - i0 < 2)
            {
                for (var i = i0; i < end; i++) steps.Add(new NodeStep(nodes[i]));
                i0 = end;
                continue;
            }
            var group = nodes.Skip(i0).Take(end - i0).ToList();
            var defined = group.SelectMany(n => n.Results).ToHashSet();
            var inputs = group.SelectMany(n => n.Operands).Where(v => !defined.Contains(v)).Distinct().ToList();
            var last = end - 1;
            var outputs = group.SelectMany(n => n.Results)
                .Where(v => graphOutputs.Contains(v) || (lastUse.TryGetValue(v, out var u) && u > last)).ToList();
            Node? epilogueOf = steps.Count > 0 && steps[^1] is NodeStep { Node: var p } && Producers.Contains(p.Op) && inputs.Contains(p.Result) ? p : null;
            steps.Add(new ElementwiseLoop(group, inputs, outputs, shape, epilogueOf));
            i0 = end;
        }
        var withConvolutions = FuseConvolutionEpilogues(steps, graph);
        var withLinears = FuseActivations(withConvolutions, graph, "linear", "gelu", (linear, gelu) => new LinearEpilogue(linear, gelu, gelu.Result));
        var withNorms = FuseActivations(withLinears, graph, "batch_norm", "relu", (norm, relu) => new BatchNormEpilogue(norm, relu, relu.Result));
        return FusePermutedProducts(withNorms, graph);
    }

    /// <summary>Folds into each batched matmul (<see cref="PermutedProduct"/>) the transpose or
    /// permute that made each operand, the one-element scale its first operand was multiplied by,
    /// and the transpose or permute that is the only reader of its result — each only when the node
    /// is a step of its own, read by nothing else, and the GEMM can read or write the permuted
    /// tensor in place (<see cref="TensorOps.PermutedMatMulRunsInPlace"/>). The product runs where
    /// the matmul was: what it reads is defined before the absorbed nodes, and nothing between the
    /// matmul and its result's permute can read that permute's result.</summary>
    private static List<FusionStep> FusePermutedProducts(List<FusionStep> steps, Graph graph)
    {
        var readers = Readers(graph);
        var outputs = graph.Outputs.ToHashSet();
        var definedAt = new Dictionary<Value, int>();
        var readAt = new Dictionary<Value, int>();
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is not NodeStep { Node: var node }) continue;
            foreach (var v in node.Results) definedAt[v] = i;
            foreach (var v in node.Operands) readAt[v] = i;
        }
        var absorbed = new HashSet<int>();
        var products = new Dictionary<int, FusionStep>();
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is not NodeStep { Node: { Op: "matmul" } matmul }
                || matmul.Operands[0].Type is not TensorType { DType: DType.Float32, IsStatic: true } left
                || matmul.Operands[1].Type is not TensorType { DType: DType.Float32, IsStatic: true } right
                || left.Rank < 3 || right.Rank != left.Rank || !left.Shape.Take(left.Rank - 2).SequenceEqual(right.Shape.Take(right.Rank - 2)))
                continue;
            var rank = left.Rank;
            var identity = Enumerable.Range(0, rank).ToArray();
            var taken = new List<int>();
            // The single-reader node step of the given op that defines v, not yet taken by another product.
            NodeStep? Defining(Value v, params string[] ops) =>
                definedAt.TryGetValue(v, out var at) && !absorbed.Contains(at) && readers.GetValueOrDefault(v) == 1 && !outputs.Contains(v)
                && steps[at] is NodeStep { Node: var n } step && ops.Contains(n.Op) ? step : null;

            var a = matmul.Operands[0];
            Value? scale = null;
            if (Defining(a, "mul") is { Node: var mul } && ScaledOperand(mul) is var (scaled, factor))
            {
                taken.Add(definedAt[a]);
                (a, scale) = (scaled, factor);
            }
            var aOrder = identity;
            if (Defining(a, "transpose", "permute") is { Node: var aPermute } && Order(aPermute) is { } ao && TensorOps.PermutedMatMulRunsInPlace(rank, ao, identity, identity))
            {
                taken.Add(definedAt[a]);
                (a, aOrder) = (aPermute.Operands[0], ao);
            }
            var b = matmul.Operands[1];
            var bOrder = identity;
            if (Defining(b, "transpose", "permute") is { Node: var bPermute } && Order(bPermute) is { } bo && TensorOps.PermutedMatMulRunsInPlace(rank, identity, bo, identity))
            {
                taken.Add(definedAt[b]);
                (b, bOrder) = (bPermute.Operands[0], bo);
            }
            var output = matmul.Result;
            var resultOrder = identity;
            if (readers.GetValueOrDefault(output) == 1 && !outputs.Contains(output) && readAt.TryGetValue(output, out var at) && !absorbed.Contains(at)
                && steps[at] is NodeStep { Node: { Op: "transpose" or "permute" } resultPermute } && Order(resultPermute) is { } ro
                && TensorOps.PermutedMatMulRunsInPlace(rank, identity, identity, ro))
            {
                taken.Add(at);
                (output, resultOrder) = (resultPermute.Result, ro);
            }
            if (taken.Count == 0) continue;
            absorbed.UnionWith(taken);
            var nodes = taken.Append(i).Order().Select(k => ((NodeStep)steps[k]).Node).ToList();
            products[i] = new PermutedProduct(matmul, a, aOrder, b, bOrder, scale, resultOrder, nodes, output);
        }
        return steps.Select((step, i) => products.GetValueOrDefault(i) ?? (absorbed.Contains(i) ? null : step)).OfType<FusionStep>().ToList();
    }

    /// <summary>(x, s) for a mul of x by a one-element f32 tensor s, where the product has x's type.</summary>
    private static (Value Operand, Value Scale)? ScaledOperand(Node mul)
    {
        for (var k = 0; k < 2; k++)
        {
            var (x, s) = (mul.Operands[k], mul.Operands[1 - k]);
            if (s.Type is TensorType { DType: DType.Float32, IsStatic: true, ElementCount: 1 } && Equals(x.Type, mul.Result.Type)
                && x.Type is TensorType { DType: DType.Float32, IsStatic: true })
                return (x, s);
        }
        return null;
    }

    /// <summary>The source dim of each result dim of a transpose or permute of a static f32 tensor.</summary>
    private static int[]? Order(Node node)
    {
        if (node.Operands[0].Type is not TensorType { DType: DType.Float32, IsStatic: true } x || node.Results.Length != 1) return null;
        var rank = x.Rank;
        int Normalize(int d) => d < 0 ? d + rank : d;
        if (node.Op == "transpose")
        {
            int d0 = Normalize(node.Attrs.GetInt("dim0")), d1 = Normalize(node.Attrs.GetInt("dim1"));
            if (d0 < 0 || d1 < 0 || d0 >= rank || d1 >= rank) return null;
            var order = Enumerable.Range(0, rank).ToArray();
            (order[d0], order[d1]) = (order[d1], order[d0]);
            return order;
        }
        var dims = node.Attrs.GetInts("dims").Select(Normalize).ToArray();
        return dims.Length == rank && dims.Order().SequenceEqual(Enumerable.Range(0, rank)) ? dims : null;
    }

    /// <summary>Folds a static f32 <paramref name="producer"/> and the <paramref name="activation"/>
    /// right after it, its only reader, into the one step <paramref name="fuse"/> makes of them (a
    /// linear and its gelu: <see cref="LinearEpilogue"/>; a batch_norm and its relu:
    /// <see cref="BatchNormEpilogue"/>).</summary>
    private static List<FusionStep> FuseActivations(List<FusionStep> steps, Graph graph, string producer, string activation, Func<Node, Node, FusionStep> fuse)
    {
        var readers = Readers(graph);
        var fused = new List<FusionStep>(steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            if (i + 1 < steps.Count && steps[i] is NodeStep { Node: var first } && first.Op == producer
                && steps[i + 1] is NodeStep { Node: var second } && second.Op == activation
                && second.Operands[0] == first.Result
                && readers.GetValueOrDefault(first.Result) == 1
                && first.Operands.Append(first.Result).All(v => v.Type is TensorType { DType: DType.Float32, IsStatic: true }))
            {
                fused.Add(fuse(first, second));
                i++;
                continue;
            }
            fused.Add(steps[i]);
        }
        return fused;
    }

    /// <summary>How many times each value is read: by a node, or as a graph output.</summary>
    private static Dictionary<Value, int> Readers(Graph graph)
    {
        var readers = new Dictionary<Value, int>();
        foreach (var n in graph.Nodes)
            foreach (var v in n.Operands) readers[v] = readers.GetValueOrDefault(v) + 1;
        foreach (var v in graph.Outputs) readers[v] = readers.GetValueOrDefault(v) + 1;
        return readers;
    }

    /// <summary>Folds a conv2d and the step right after it into one <see cref="ConvolutionEpilogue"/>
    /// when that step is its only reader and does no more than add a residual of the convolution's
    /// own shape and/or apply relu (<c>relu(conv)</c>, <c>conv + r</c>, <c>relu(conv + r)</c>).</summary>
    private static List<FusionStep> FuseConvolutionEpilogues(List<FusionStep> steps, Graph graph)
    {
        var readers = Readers(graph);
        var fused = new List<FusionStep>(steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            if (i + 1 < steps.Count && steps[i] is NodeStep { Node: { Op: "conv2d" } conv }
                && conv.Result.Type is TensorType { DType: DType.Float32, IsStatic: true }
                && readers.GetValueOrDefault(conv.Result) == 1
                && Epilogue(conv, steps[i + 1], readers) is { } epilogue)
            {
                fused.Add(epilogue);
                i++;
                continue;
            }
            fused.Add(steps[i]);
        }
        return fused;
    }

    private static ConvolutionEpilogue? Epilogue(Node conv, FusionStep next, Dictionary<Value, int> readers)
    {
        var c = conv.Result;
        if (next is NodeStep { Node: { Op: "relu" } relu } && relu.Operands[0] == c)
            return new ConvolutionEpilogue(conv, null, true, [relu], relu.Result);
        IReadOnlyList<Node> nodes;
        Value output;
        if (next is NodeStep { Node: { Op: "add" } single })
            (nodes, output) = ([single], single.Result);
        else if (next is ElementwiseLoop { Nodes: { Count: <= 2 } loopNodes, Outputs: [var loopOutput] })
            (nodes, output) = (loopNodes, loopOutput);
        else
            return null;
        var add = nodes[0];
        if (add.Op != "add" || add.Operands.Count(v => v == c) != 1) return null;
        var residual = add.Operands[0] == c ? add.Operands[1] : add.Operands[0];
        if (!Equals(residual.Type, c.Type)) return null;
        if (nodes.Count == 1) return output == add.Result ? new ConvolutionEpilogue(conv, residual, false, [add], add.Result) : null;
        var relu2 = nodes[1];
        return relu2.Op == "relu" && relu2.Operands[0] == add.Result && readers.GetValueOrDefault(add.Result) == 1 && output == relu2.Result
            ? new ConvolutionEpilogue(conv, residual, true, [add, relu2], relu2.Result)
            : null;
    }

    /// <summary>An operand whose shape, leading 1s dropped, is a suffix of the result shape (a bias
    /// row): element i of the loop reads element i mod its length.</summary>
    public static bool IsTrailingBroadcast(TensorType operand, TensorType result)
    {
        var dims = operand.Shape.SkipWhile(d => d == 1).ToList();
        return dims.Count <= result.Rank && result.Shape.Skip(result.Rank - dims.Count).SequenceEqual(dims);
    }

    /// <summary>Whether a fused loop can compute the op: it has a per-element formula (the catalog's
    /// <see cref="OpDef.Formula"/>, which every backend renders) of a number, not a predicate.</summary>
    public static bool IsFusibleOp(OpDef? op) => op?.Formula is { IsPredicate: false };

    /// <summary>The loop shape a node can join, or null when it cannot be fused.</summary>
    private static TensorType? FusibleShape(Node node)
    {
        if (!IsFusibleOp(node.Def) || node.Results.Length != 1) return null;
        if (node.Result.Type is not TensorType { DType: DType.Float32, IsStatic: true } result) return null;
        foreach (var operand in node.Operands)
        {
            if (operand.Type is not TensorType { DType: DType.Float32, IsStatic: true } t) return null;
            if (!t.Shape.SequenceEqual(result.Shape) && t.ElementCount != 1 && !IsTrailingBroadcast(t, result)) return null;
        }
        return result;
    }
}
