using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

/// <summary>Sample applications of every kernel-backed op: operands and attributes chosen so the
/// op is valid (index operands in range, positive inputs where the math needs them) and the
/// shapes exercise broadcasting, negative dims and non-square windows.</summary>
internal static class KernelSamples
{
    /// <summary>One application; an operand is a tensor or, for a <c>long</c> kernel parameter, a host int.</summary>
    public sealed record Case(string Op, object[] Operands, Attrs Attrs)
    {
        public IReadOnlyList<IRType> OperandTypes => [.. Operands.Select(TypeOf)];

        public override string ToString() =>
            $"{Op}({string.Join(", ", Operands.Select(o => o is Tensor t ? $"{t.DType.ShortName()}{Shapes.Format(t.Shape)}" : $"int {o}"))}) {{{string.Join(", ", Attrs.Select(kv => $"{kv.Key} = {kv.Value}"))}}}";
    }

    public static IRType TypeOf(object operand) => operand switch
    {
        Tensor t => new TensorType(t.DType, t.ShapeArray()),
        int => IRType.Int,
        _ => throw new ArgumentException($"unexpected operand {operand}"),
    };

    private static Tensor F(int seed, params int[] shape) => Uniform(seed, -1, 1, shape);

    private static Tensor Positive(int seed, params int[] shape) => Uniform(seed, 0.5f, 2, shape);

    private static Tensor Uniform(int seed, float lo, float hi, int[] shape)
    {
        var rng = new Random(seed);
        var data = new float[Shapes.ElementCount(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = lo + (float)rng.NextDouble() * (hi - lo);
        return Tensor.FromArray(data, shape);
    }

    private static Tensor Ints(int bound, params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, Shapes.ElementCount(shape)).Select(i => (i * 7 + 3) % bound).ToArray(), shape);

    private static Tensor Longs(int bound, params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, Shapes.ElementCount(shape)).Select(i => (long)((i * 5 + 1) % bound)).ToArray(), shape);

    private static Tensor Bools(params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, Shapes.ElementCount(shape)).Select(i => i % 3 != 1).ToArray(), shape);

    private static Case C(string op, object[] operands, Attrs? attrs = null) => new(op, operands, attrs ?? new Attrs());

    public static IEnumerable<Case> All()
    {
        foreach (var op in new[] { "add", "sub", "mul", "minimum", "maximum" })
        {
            yield return C(op, [F(1, 2, 1, 3), F(2, 4, 1)]);
            yield return C(op, [Ints(9, 3), Ints(5, 2, 3)]);
        }
        yield return C("div", [F(3, 2, 3), Positive(4, 3)]);
        yield return C("pow", [Positive(5, 2, 3), F(6, 1, 3)]);
        foreach (var op in new[] { "gt", "ge", "lt", "le", "eq" })
            yield return C(op, [F(7, 2, 3), F(8, 3)]);
        foreach (var op in new[] { "neg", "abs", "exp", "tanh", "sigmoid", "relu", "gelu", "silu", "softplus", "mish", "hardswish", "hardsigmoid", "erf", "sin", "cos" })
            yield return C(op, [F(9, 2, 3)]);
        foreach (var op in new[] { "log", "sqrt", "rsqrt" })
            yield return C(op, [Positive(10, 4, 1)]);
        yield return C("neg", [Ints(7, 4)]);
        yield return C("clamp", [F(11, 2, 3)], new Attrs { { "min", -0.5f }, { "max", 0.5f } });
        yield return C("leaky_relu", [F(77, 2, 3)], new Attrs { { "negativeSlope", 0.1f } });
        yield return C("elu", [F(78, 2, 3)], new Attrs { { "alpha", 1.5f } });
        yield return C("where", [Bools(2, 1), F(12, 2, 3), F(13, 3)]);
        yield return C("cast", [F(14, 2, 3)], new Attrs { { "dtype", DType.Int64 } });
        yield return C("cast", [Ints(3, 5)], new Attrs { { "dtype", DType.Bool } });

        yield return C("matmul", [F(15, 3), F(16, 3)]);
        yield return C("matmul", [F(17, 2, 3), F(18, 3)]);
        yield return C("matmul", [F(19, 3), F(20, 3, 4)]);
        yield return C("matmul", [F(21, 5, 2, 3), F(22, 3, 4)]);
        yield return C("matmul", [F(23, 2, 1, 2, 3), F(24, 3, 3, 2)]);
        yield return C("linear", [F(25, 2, 5, 3), F(26, 4, 3), F(27, 4)]);

        yield return C("conv2d", [F(28, 1, 4, 7, 6), F(29, 6, 2, 3, 3), F(30, 6)],
            new Attrs { { "stride", new[] { 2, 1 } }, { "padding", new[] { 1, 0 } }, { "dilation", new[] { 1, 2 } }, { "groups", 2 } });
        yield return C("conv2d", [F(31, 2, 3, 5, 5), F(32, 4, 3, 1, 1), F(33, 4)],
            new Attrs { { "stride", new[] { 1, 1 } }, { "padding", new[] { 0, 0 } }, { "dilation", new[] { 1, 1 } }, { "groups", 1 } });
        foreach (var op in new[] { "max_pool2d", "avg_pool2d" })
            yield return C(op, [F(34, 1, 2, 7, 6)], new Attrs { { "kernelSize", new[] { 3, 2 } }, { "stride", new[] { 2, 2 } }, { "padding", new[] { 1, 1 } } });
        foreach (var op in new[] { "adaptive_avg_pool2d", "adaptive_max_pool2d" })
            yield return C(op, [F(35, 1, 2, 7, 5)], new Attrs { { "outputSize", new[] { 3, 2 } } });
        yield return C("batch_norm", [F(36, 2, 3, 4, 4), F(37, 3), Positive(38, 3), F(39, 3), F(40, 3)], new Attrs { { "eps", 1e-5f } });
        yield return C("layer_norm", [F(41, 2, 3, 4), F(42, 3, 4), F(43, 3, 4)], new Attrs { { "eps", 1e-5f } });
        foreach (var op in new[] { "softmax", "log_softmax" })
            yield return C(op, [F(44, 2, 3)], new Attrs { { "dim", -1 } });

        foreach (var op in new[] { "sum", "mean", "max", "min" })
        {
            yield return C(op, [F(45, 2, 3, 4)], new Attrs { { "dims", new[] { 0, -1 } }, { "keepdim", true } });
            yield return C(op, [F(46, 2, 3, 4)], new Attrs { { "dims", Array.Empty<int>() }, { "keepdim", false } });
        }
        foreach (var op in new[] { "argmax", "argmin" })
            yield return C(op, [F(47, 2, 3, 4)], new Attrs { { "dim", 1 }, { "keepdim", false } });

        yield return C("reshape", [F(48, 2, 3, 4)], new Attrs { { "shape", new[] { 4, -1 } } });
        yield return C("transpose", [F(49, 2, 3, 4)], new Attrs { { "dim0", 0 }, { "dim1", -1 } });
        yield return C("permute", [F(50, 2, 3, 4)], new Attrs { { "dims", new[] { 2, 0, 1 } } });
        yield return C("concat", [F(51, 2, 3), F(52, 2, 1), F(53, 2, 2)], new Attrs { { "dim", 1 } });
        yield return C("split", [F(54, 5, 2)], new Attrs { { "sizes", new[] { 2, 3 } }, { "dim", 0 } });
        yield return C("slice", [F(55, 6, 3)], new Attrs { { "dim", 0 }, { "start", -5 }, { "end", 100 }, { "step", 2 } });
        yield return C("narrow", [F(75, 2, 5, 3), 3], new Attrs { { "dim", 1 }, { "length", 2 } });
        yield return C("narrow", [Longs(9, 4, 2), -1], new Attrs { { "dim", 0 }, { "length", 1 } });
        yield return C("narrow", [F(76, 3), 3], new Attrs { { "dim", -1 }, { "length", 0 } });
        yield return C("squeeze", [F(56, 1, 3, 1)], new Attrs { { "dims", Array.Empty<int>() } });
        yield return C("squeeze", [F(57, 1, 3, 1)], new Attrs { { "dims", new[] { 0 } } });
        yield return C("unsqueeze", [F(58, 2, 3)], new Attrs { { "dim", -1 } });
        yield return C("expand", [F(59, 3, 1)], new Attrs { { "shape", new[] { 2, 3, 4 } } });
        yield return C("expand", [F(60, 3, 1)], new Attrs { { "shape", new[] { -1, 5 } } });

        yield return C("gather", [F(61, 3, 4), Longs(3, 2, 4)], new Attrs { { "dim", 0 } });
        yield return C("index_select", [F(62, 3, 4), Ints(4, 5)], new Attrs { { "dim", 1 } });
        yield return C("topk", [F(63, 2, 5)], new Attrs { { "k", 3 }, { "dim", -1 }, { "largest", true } });
        yield return C("embedding", [Longs(10, 2, 3), F(64, 10, 4)]);
        yield return C("item", [F(65, 1, 1)]);

        // Integer and bool dtypes, 0-d tensors and unbatched pooling.
        var scalar = Tensor.Scalar(2f);
        yield return C("sum", [Ints(9, 2, 3)], new Attrs { { "dims", new[] { 1 } }, { "keepdim", false } });
        yield return C("sum", [Bools(2, 3)], new Attrs { { "dims", Array.Empty<int>() }, { "keepdim", true } });
        yield return C("max", [Longs(7, 2, 3)], new Attrs { { "dims", new[] { 0 } }, { "keepdim", false } });
        yield return C("argmin", [Ints(9, 2, 3)], new Attrs { { "dim", -1 }, { "keepdim", true } });
        yield return C("topk", [Longs(9, 4)], new Attrs { { "k", 2 }, { "dim", 0 }, { "largest", false } });
        yield return C("where", [Bools(3), Ints(9, 2, 3), Ints(5, 1)]);
        yield return C("eq", [Bools(2, 3), Bools(3)]);
        yield return C("abs", [Longs(9, 3)]);
        yield return C("cast", [Bools(4)], new Attrs { { "dtype", DType.Float32 } });
        yield return C("mean", [scalar], new Attrs { { "dims", new[] { -1 } }, { "keepdim", true } });
        yield return C("argmax", [scalar], new Attrs { { "dim", 0 }, { "keepdim", false } });
        yield return C("topk", [scalar], new Attrs { { "k", 1 }, { "dim", 0 }, { "largest", true } });
        yield return C("transpose", [scalar], new Attrs { { "dim0", 0 }, { "dim1", -1 } });
        yield return C("squeeze", [scalar], new Attrs { { "dims", new[] { 0 } } });
        yield return C("softmax", [scalar], new Attrs { { "dim", 0 } });
        yield return C("index_select", [F(66, 2, 3), Tensor.Scalar(1L)], new Attrs { { "dim", 0 } });
        yield return C("max_pool2d", [F(67, 2, 5, 5)], new Attrs { { "kernelSize", new[] { 2 } }, { "stride", new[] { 2 } }, { "padding", new[] { 0 } } });
        yield return C("avg_pool2d", [F(68, 1, 5, 5)], new Attrs { { "kernelSize", new[] { 2 } }, { "stride", new[] { 2 } }, { "padding", new[] { 1 } } });
        yield return C("adaptive_max_pool2d", [F(69, 2, 5, 5)], new Attrs { { "outputSize", new[] { 2, 3 } } });
        yield return C("slice", [F(70, 6)], new Attrs { { "dim", 0 }, { "start", 2 }, { "end", int.MaxValue }, { "step", 3 } });
        yield return C("split", [F(71, 5)], new Attrs { { "sizes", new[] { 5, 0 } }, { "dim", 0 } });
        yield return C("reshape", [Tensor.Zeros(0, 3)], new Attrs { { "shape", new[] { 3, 0 } } });
        yield return C("linear", [F(72, 3), F(73, 4, 3), F(74, 4)]);
    }

    /// <summary>Applications every kernel must refuse, and so must the catalog.</summary>
    public static IEnumerable<Case> Invalid()
    {
        yield return C("add", [F(1, 2, 3), Ints(3, 2, 3)]);
        yield return C("add", [F(2, 2, 3), F(3, 4)]);
        yield return C("matmul", [Ints(3, 2, 3), Ints(3, 3)]);
        yield return C("matmul", [F(4, 2, 3), F(5, 4, 2)]);
        yield return C("max", [Bools(2, 3)], new Attrs { { "dims", new[] { 1 } }, { "keepdim", false } });
        yield return C("argmax", [Bools(2, 3)], new Attrs { { "dim", 1 }, { "keepdim", false } });
        yield return C("topk", [Bools(2, 3)], new Attrs { { "k", 1 }, { "dim", 1 }, { "largest", true } });
        yield return C("topk", [F(6, 2, 3)], new Attrs { { "k", 4 }, { "dim", 1 }, { "largest", true } });
        yield return C("where", [Ints(2, 2, 3), F(7, 2, 3), F(8, 2, 3)]);
        yield return C("exp", [Ints(3, 3)]);
        yield return C("softmax", [F(9, 2, 3)], new Attrs { { "dim", 2 } });
        yield return C("sum", [F(10, 2, 3)], new Attrs { { "dims", new[] { 1, -1 } }, { "keepdim", false } });
        yield return C("reshape", [F(11, 2, 3)], new Attrs { { "shape", new[] { 4, -1 } } });
        yield return C("permute", [F(12, 2, 3)], new Attrs { { "dims", new[] { 0, 0 } } });
        yield return C("concat", [F(13, 2, 3), F(14, 3, 3)], new Attrs { { "dim", 1 } });
        yield return C("split", [F(15, 5)], new Attrs { { "sizes", new[] { 2, 2 } }, { "dim", 0 } });
        yield return C("slice", [F(16, 5)], new Attrs { { "dim", 0 }, { "start", 0 }, { "end", 2 }, { "step", 0 } });
        yield return C("expand", [F(17, 3, 2)], new Attrs { { "shape", new[] { 3, 4 } } });
        yield return C("gather", [F(18, 3, 4), Longs(3, 2)], new Attrs { { "dim", 0 } });
        yield return C("index_select", [F(19, 3, 4), F(20, 2)], new Attrs { { "dim", 0 } });
        yield return C("embedding", [F(21, 2), F(22, 3, 4)]);
        yield return C("linear", [F(23, 2, 3), F(24, 4, 5), F(25, 4)]);
        yield return C("layer_norm", [F(26, 2, 3), F(27, 2, 3), F(28, 3)], new Attrs { { "eps", 1e-5f } });
        yield return C("batch_norm", [F(29, 2, 3), F(30, 4), F(31, 4), F(32, 4), F(33, 4)], new Attrs { { "eps", 1e-5f } });
        yield return C("conv2d", [F(34, 1, 3, 5, 5), F(35, 4, 2, 3, 3), F(36, 4)],
            new Attrs { { "stride", new[] { 1 } }, { "padding", new[] { 0 } }, { "dilation", new[] { 1 } }, { "groups", 1 } });
        yield return C("max_pool2d", [F(37, 5, 5)], new Attrs { { "kernelSize", new[] { 2 } }, { "stride", new[] { 2 } }, { "padding", new[] { 0 } } });
        yield return C("max_pool2d", [F(38, 1, 1, 2, 2)], new Attrs { { "kernelSize", new[] { 3 } }, { "stride", new[] { 1 } }, { "padding", new[] { 0 } } });
        yield return C("item", [F(39, 2)]);
        yield return C("narrow", [F(40, 2, 5), 0], new Attrs { { "dim", 1 }, { "length", 6 } });
        yield return C("narrow", [F(41, 2, 5), 0], new Attrs { { "dim", 1 }, { "length", -1 } });
        yield return C("narrow", [F(42, 2, 5), 0], new Attrs { { "dim", 2 }, { "length", 1 } });
    }
}
