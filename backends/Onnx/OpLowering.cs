using DyCompile.IR;
using DyCompile.Backends.Onnx.Proto;
using DyCompile.Runtime;
using static DyCompile.Backends.Onnx.OnnxGraphBuilder;

namespace DyCompile.Backends.Onnx;

/// <summary>Maps each IR op to ONNX opset-17 nodes with the same semantics as its runtime kernel:
/// an op whose catalog entry names its ONNX operator or gives its formula is exported from that
/// (<see cref="FormulaLowering"/>); the others are mapped here. Host scalars are 0-d tensors, so
/// the host ops map to the same elementwise ONNX ops.</summary>
internal static class OpLowering
{
    private static readonly Dictionary<string, string> _sameName = new()
    {
        ["host.add"] = "Add", ["host.sub"] = "Sub", ["host.mul"] = "Mul", ["host.div"] = "Div",
        ["host.min"] = "Min", ["host.max"] = "Max", ["host.neg"] = "Neg", ["host.abs"] = "Abs",
        ["host.sqrt"] = "Sqrt", ["host.exp"] = "Exp", ["host.log"] = "Log", ["host.round"] = "Round",
        ["host.floor"] = "Floor", ["host.ceil"] = "Ceil", ["host.pow"] = "Pow", ["host.isnan"] = "IsNaN", ["host.isinf"] = "IsInf",
        ["host.lt"] = "Less", ["host.le"] = "LessOrEqual", ["host.gt"] = "Greater", ["host.ge"] = "GreaterOrEqual",
        ["host.eq"] = "Equal", ["host.and"] = "And", ["host.or"] = "Or", ["host.not"] = "Not",
        ["host.select"] = "Where", ["tensor.from_scalar"] = "Identity",
    };

    /// <summary>Appends the nodes computing <paramref name="node"/> from the ONNX names of its
    /// operands; returns the ONNX names of its results, in order.</summary>
    public static IReadOnlyList<string> Lower(OnnxGraphBuilder g, Node node, IReadOnlyList<string> x)
    {
        var hint = node.Results.Length > 0 ? node.Results[0].Name : node.Op;
        var a = node.Attrs;
        IRType T(int i) => node.Operands[i].Type;
        int Rank(int i) => OnnxTypes.ShapeOf(T(i)).Count;

        if (node.Op == "const")
            return [g.Literal(node.Result.Type, node.Payload?.Values ?? throw Unsupported(node, "a constant without payload"), hint)];
        if (_sameName.TryGetValue(node.Op, out var same))
            return [g.One(same, x, hint)];
        if (node.Def is { Kind: OpKind.Tensor } def && FormulaLowering.Covers(def))
            return [FormulaLowering.Lower(g, node, x, hint)];
        // PyTorch lets dim 0 (or -1) name the one "dimension" of a 0-d tensor; ONNX axes need rank ≥ 1.
        if (node.Operands.Length > 0 && T(0) is TensorType { Rank: 0 } && node.Def?.Attributes.Any(d => d.Name is "dim" or "dim0" || (d.Name == "dims" && a.GetInts("dims").Length > 0)) == true)
            throw Unsupported(node, "a dimension of a 0-d tensor (ONNX axes need rank 1 or more)");

        switch (node.Op)
        {
            case "cast":
            {
                var to = a.GetDType("dtype");
                return ((TensorType)T(0)).DType == DType.Float32 && to is DType.Int32 or DType.Int64
                    ? [SaturatingCast(g, x[0], to, hint)]
                    : [g.One("Cast", x, hint, Int("to", (long)OnnxTypes.ElementType(to)))];
            }
            case "host.ne":
                return [g.One("Not", [g.One("Equal", x, hint + "_eq")], hint)];
            case "host.to_float":
                return [g.One("Cast", x, hint, Int("to", (long)OnnxTypes.ElementType(DType.Float32)))];
            case "host.to_int":
                return T(0) == IRType.Float
                    ? [SaturatingCast(g, x[0], DType.Int32, hint)]
                    : [g.One("Cast", x, hint, Int("to", (long)OnnxTypes.ElementType(DType.Int32)))];
            case "host.dim":
            {
                // Shape is a 1-d i64 tensor; gathering a 0-d index from it gives the 0-d size.
                var size = g.One("Gather", [g.One("Shape", [x[0]], hint + "_shape"), x[1]], hint + "_i64", Int("axis", 0));
                return [g.One("Cast", [size], hint, Int("to", (long)OnnxTypes.ElementType(DType.Int32)))];
            }
            case "item":
            {
                var scalar = g.One("Reshape", [x[0], g.Int64s([], hint + "_shape")], hint + "_0d");
                return [((TensorType)T(0)).DType == DType.Float32 ? g.One("Identity", [scalar], hint) : g.One("Cast", [scalar], hint, Int("to", (long)OnnxTypes.ElementType(DType.Float32)))];
            }
            case "linear":
            {
                if (Rank(0) == 2) return [g.One("Gemm", x, hint, Int("transB", 1))];
                var product = g.One("MatMul", [x[0], g.One("Transpose", [x[1]], hint + "_wt", Ints("perm", [1, 0]))], hint + "_mm");
                return [g.One("Add", [product, x[2]], hint)];
            }
            case "conv2d":
            {
                var padding = Pair(a.GetInts("padding"));
                return [g.One("Conv", x, hint,
                    Ints("strides", Pair(a.GetInts("stride"))),
                    Ints("pads", [padding[0], padding[1], padding[0], padding[1]]),
                    Ints("dilations", Pair(a.GetInts("dilation"))),
                    Int("group", a.GetInt("groups")))];
            }
            case "max_pool2d":
            case "avg_pool2d":
            {
                if (Rank(0) != 4) throw Unsupported(node, $"pooling of unbatched {T(0)} (ONNX pools NCHW only)");
                var kernel = Pair(a.GetInts("kernelSize"));
                var stride = Pair(a.GetInts("stride"), kernel);
                var padding = Pair(a.GetInts("padding"), [0, 0]);
                var common = new[] { Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", [padding[0], padding[1], padding[0], padding[1]]) };
                return node.Op == "max_pool2d"
                    ? [g.One("MaxPool", x, hint, common)]
                    : [g.One("AveragePool", x, hint, [.. common, Int("count_include_pad", 1)])];
            }
            case "adaptive_avg_pool2d":
            case "adaptive_max_pool2d":
                return [AdaptivePool(g, node, x[0], hint)];
            case "batch_norm":
                // IR operands: input, runningMean, runningVar, weight, bias; ONNX: X, scale, B, mean, var.
                return [g.One("BatchNormalization", [x[0], x[3], x[4], x[1], x[2]], hint, Float("epsilon", a.GetFloat("eps")))];
            case "layer_norm":
                return [g.One("LayerNormalization", x, hint, Int("axis", -Rank(1)), Float("epsilon", a.GetFloat("eps")))];
            case "softmax":
                return [g.One("Softmax", x, hint, Int("axis", a.GetInt("dim")))];
            case "log_softmax":
                return [g.One("LogSoftmax", x, hint, Int("axis", a.GetInt("dim")))];
            case "sum":
            case "mean":
            case "max":
            case "min":
            {
                // An integer or bool sum is an i64 sum (as in PyTorch); ONNX ReduceSum keeps the input's type.
                var input = node.Result.Type is TensorType { DType: var to } && ((TensorType)T(0)).DType != to
                    ? g.One("Cast", x, hint + "_wide", Int("to", (long)OnnxTypes.ElementType(to)))
                    : x[0];
                return [Reduce(g, node.Op, input, a.GetInts("dims"), a.GetBool("keepdim"), hint)];
            }
            case "argmax":
            case "argmin":
                return [g.One(node.Op == "argmax" ? "ArgMax" : "ArgMin", x, hint, Int("axis", a.GetInt("dim")), Int("keepdims", a.GetBool("keepdim") ? 1 : 0), Int("select_last_index", 0))];
            case "reshape":
                // allowzero: a 0 in the IR shape is a zero-size dimension, not "copy the input's".
                return [g.One("Reshape", [x[0], g.Int64s(a.GetInts("shape").Select(d => (long)d).ToList(), hint + "_shape")], hint, Int("allowzero", 1))];
            case "transpose":
            {
                var rank = Rank(0);
                var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
                int d0 = Axis(a.GetInt("dim0"), rank), d1 = Axis(a.GetInt("dim1"), rank);
                (perm[d0], perm[d1]) = (perm[d1], perm[d0]);
                return [g.One("Transpose", x, hint, Ints("perm", perm))];
            }
            case "permute":
                return [g.One("Transpose", x, hint, Ints("perm", a.GetInts("dims").Select(d => (long)Axis(d, Rank(0)))))];
            case "concat":
                return [g.One("Concat", x, hint, Int("axis", a.GetInt("dim")))];
            case "split":
            {
                var sizes = a.GetInts("sizes").Select(s => (long)s).ToList();
                return g.Node("Split", [x[0], g.Int64s(sizes, hint + "_sizes")], sizes.Count, hint, Int("axis", a.GetInt("dim")));
            }
            case "slice":
                return [g.One("Slice", [x[0],
                    g.Int64s([a.GetInt("start")], hint + "_starts"), g.Int64s([a.GetInt("end")], hint + "_ends"),
                    g.Int64s([a.GetInt("dim")], hint + "_axes"), g.Int64s([a.GetInt("step")], hint + "_steps")], hint)];
            case "narrow":
                return [Narrow(g, node, x[0], x[1], hint)];
            case "squeeze":
            {
                var dims = a.GetInts("dims");
                return dims.Length == 0
                    ? [g.One("Squeeze", x, hint)]
                    : [g.One("Squeeze", [x[0], g.Int64s(dims.Select(d => (long)d).ToList(), hint + "_axes")], hint)];
            }
            case "unsqueeze":
                return [g.One("Unsqueeze", [x[0], g.Int64s([a.GetInt("dim")], hint + "_axes")], hint)];
            case "expand":
                // A -1 keeps the input's dimension; ONNX's bidirectional broadcast does that for a 1.
                return [g.One("Expand", [x[0], g.Int64s(a.GetInts("shape").Select(d => d == -1 ? 1L : d).ToList(), hint + "_shape")], hint)];
            case "gather":
                return [g.One("GatherElements", x, hint, Int("axis", a.GetInt("dim")))];
            case "index_select":
                // A 0-d index selects a dimension of size 1, as a one-element index does (Gather would drop it).
                return [g.One("Gather", [x[0], Rank(1) == 0 ? g.One("Unsqueeze", [x[1], g.Int64s([0], hint + "_axes")], hint + "_index") : x[1]], hint, Int("axis", a.GetInt("dim")))];
            case "embedding":
                return [g.One("Gather", [x[1], x[0]], hint, Int("axis", 0))];
            case "topk":
                return g.Node("TopK", [x[0], g.Int64s([a.GetInt("k")], hint + "_k")], 2, hint,
                    Int("axis", a.GetInt("dim")), Int("largest", a.GetBool("largest") ? 1 : 0), Int("sorted", 1));
            default:
                throw Unsupported(node, "no ONNX mapping");
        }
    }

    private static OnnxExportException Unsupported(Node node, string why) =>
        new($"op '{node.Op}' of {string.Join(", ", node.Results.Select(r => r.Ref).DefaultIfEmpty("(no result)"))} cannot be exported to ONNX: {why}");

    /// <summary>float → int as .NET converts (the runtime's semantics): toward zero, saturating at
    /// the integer range, NaN → 0. ONNX leaves out-of-range casts undefined, so the input is first
    /// cleared of NaN and clipped to the largest float below 2^31 (2^63), and inputs at or above
    /// 2^31 (2^63) are given the maximum afterwards.</summary>
    private static string SaturatingCast(OnnxGraphBuilder g, string x, DType to, string hint)
    {
        var (low, high, limit, max) = to == DType.Int32
            ? (-2147483648f, 2147483520f, 2147483648f, (double)int.MaxValue)
            : (-9223372036854775808f, 9223371487098961920f, 9223372036854775808f, (double)long.MaxValue);
        var target = IRType.Tensor(to);
        var clean = g.One("Where", [g.One("IsNaN", [x], hint + "_nan"), FloatScalar(g, 0f, hint), x], hint + "_clean");
        var clipped = g.One("Clip", [clean, FloatScalar(g, low, hint), FloatScalar(g, high, hint)], hint + "_clip");
        var cast = g.One("Cast", [clipped], hint + "_cast", Int("to", (long)OnnxTypes.ElementType(to)));
        var above = g.One("GreaterOrEqual", [x, FloatScalar(g, limit, hint)], hint + "_above");
        return g.One("Where", [above, g.Literal(target, [max], hint + "_max"), cast], hint);
    }

    /// <summary>narrow with a run-time start: ONNX Slice from <c>start</c> (a host int, a 0-d INT32)
    /// to <c>start + length</c>. A negative start counts from the end as in the kernel. ONNX Slice
    /// clamps a range that does not fit, where the kernel throws, so the start first passes a bounds
    /// check made of a Gather: it reads a zero from a tensor with one element per valid start
    /// (size − length + 1 of them) at the start, or past its end when the start is still negative,
    /// and ONNX Runtime fails on an index out of bounds. The zero is added to the start, so the check
    /// cannot be pruned; the failure is ONNX Runtime's, not the kernel's message (as for traps).</summary>
    private static string Narrow(OnnxGraphBuilder g, Node node, string x, string start, string hint)
    {
        var rank = OnnxTypes.ShapeOf(node.Operands[0].Type).Count;
        var dim = Axis(node.Attrs.GetInt("dim"), rank);
        long length = node.Attrs.GetInt("length");
        var staticSize = OnnxTypes.ShapeOf(node.Operands[0].Type)[dim];
        var size = staticSize != TensorType.Dynamic
            ? g.Int64Scalar(staticSize, hint + "_size")
            : g.One("Squeeze", [g.One("Shape", [x], hint + "_shape", Int("start", dim), Int("end", dim + 1)), g.Int64s([0], hint + "_axis0")], hint + "_size");
        var asLong = g.One("Cast", [start], hint + "_start", Int("to", (long)OnnxTypes.ElementType(DType.Int64)));
        var negative = g.One("Less", [asLong, g.Int64Scalar(0, hint + "_zero")], hint + "_negative");
        var from = g.One("Where", [negative, g.One("Add", [asLong, size], hint + "_fromEnd"), asLong], hint + "_from");
        var valid = g.One("Add", [g.One("Sub", [size, g.Int64Scalar(length, hint + "_length")], hint + "_last"), g.Int64Scalar(1, hint + "_one")], hint + "_valid");
        var zeros = g.One("ConstantOfShape", [g.One("Unsqueeze", [valid, g.Int64s([0], hint + "_axes")], hint + "_validShape")], hint + "_starts",
            new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxTypes.Int64s("", [0]) });
        var index = g.One("Where", [g.One("Less", [from, g.Int64Scalar(0, hint + "_zero")], hint + "_below"), valid, from], hint + "_index");
        var check = g.One("Gather", [zeros, index], hint + "_check", Int("axis", 0));
        var first = g.One("Unsqueeze", [g.One("Add", [from, check], hint + "_checked"), g.Int64s([0], hint + "_axes")], hint + "_begin");
        var end = g.One("Add", [first, g.Int64s([length], hint + "_len")], hint + "_end");
        return g.One("Slice", [x, first, end, g.Int64s([dim], hint + "_dims"), g.Int64s([1], hint + "_steps")], hint);
    }

    private static string FloatScalar(OnnxGraphBuilder g, float value, string hint) =>
        g.Literal(IRType.Float, [value], hint + "_c");

    /// <summary>A (height, width) pair from one or two ints; an empty list means <paramref name="fallback"/>.</summary>
    private static long[] Pair(int[] values, long[]? fallback = null) => values.Length switch
    {
        0 when fallback is not null => fallback,
        1 => [values[0], values[0]],
        _ => [values[0], values[1]],
    };

    private static int Axis(int axis, int rank) => axis < 0 ? axis + rank : axis;

    /// <summary>Opset 17 takes the axes of ReduceSum as an input and those of the other reductions
    /// as an attribute; no axes reduces every dimension, as an empty IR <c>dims</c> does.</summary>
    private static string Reduce(OnnxGraphBuilder g, string op, string x, int[] dims, bool keepdim, string hint)
    {
        var keep = Int("keepdims", keepdim ? 1 : 0);
        var axes = dims.Select(d => (long)d).ToList();
        return op switch
        {
            "sum" => axes.Count == 0 ? g.One("ReduceSum", [x], hint, keep) : g.One("ReduceSum", [x, g.Int64s(axes, hint + "_axes")], hint, keep),
            _ => axes.Count == 0
                ? g.One(ReductionName(op), [x], hint, keep)
                : g.One(ReductionName(op), [x], hint, keep, Ints("axes", axes)),
        };
    }

    private static string ReductionName(string op) => op switch
    {
        "mean" => "ReduceMean",
        "max" => "ReduceMax",
        _ => "ReduceMin",
    };

    /// <summary>Adaptive pooling to 1×1 is global pooling; to a size that divides the input evenly it
    /// is plain pooling with kernel = stride = input/output (PyTorch's windows coincide then);
    /// otherwise each output cell is its own window, PyTorch's rows ⌊i·H/h⌋ … ⌈(i+1)·H/h⌉ (and
    /// columns alike), sliced, reduced and concatenated. Input sizes must be static.</summary>
    private static string AdaptivePool(OnnxGraphBuilder g, Node node, string x, string hint)
    {
        var isMax = node.Op == "adaptive_max_pool2d";
        if (OnnxTypes.ShapeOf(node.Operands[0].Type).Count != 4) throw Unsupported(node, $"pooling of unbatched {node.Operands[0].Type} (ONNX pools NCHW only)");
        var output = Pair(node.Attrs.GetInts("outputSize"));
        if (output[0] == 1 && output[1] == 1)
            return g.One(isMax ? "GlobalMaxPool" : "GlobalAveragePool", [x], hint);
        var shape = OnnxTypes.ShapeOf(node.Operands[0].Type);
        long h = shape[^2], w = shape[^1];
        if (h == TensorType.Dynamic || w == TensorType.Dynamic)
            throw Unsupported(node, $"adaptive pooling of {node.Operands[0].Type} needs static spatial sizes");
        if (output[0] == 0 || output[1] == 0)
            throw Unsupported(node, "adaptive pooling to an empty output");
        if (h % output[0] == 0 && w % output[1] == 0)
        {
            long[] kernel = [h / output[0], w / output[1]];
            var attrs = new[] { Ints("kernel_shape", kernel), Ints("strides", kernel) };
            return isMax ? g.One("MaxPool", [x], hint, attrs) : g.One("AveragePool", [x], hint, attrs);
        }
        var axes = g.Int64s([2, 3], hint + "_axes");
        var rows = new List<string>();
        for (long i = 0; i < output[0]; i++)
        {
            var cells = new List<string>();
            for (long j = 0; j < output[1]; j++)
            {
                long h0 = i * h / output[0], h1 = ((i + 1) * h + output[0] - 1) / output[0];
                long w0 = j * w / output[1], w1 = ((j + 1) * w + output[1] - 1) / output[1];
                var window = g.One("Slice", [x, g.Int64s([h0, w0], hint + "_from"), g.Int64s([h1, w1], hint + "_to"), axes], hint + "_window");
                cells.Add(isMax
                    ? g.One("ReduceMax", [window], hint + "_cell", Int("keepdims", 1), Ints("axes", [2, 3]))
                    : g.One("ReduceMean", [window], hint + "_cell", Int("keepdims", 1), Ints("axes", [2, 3])));
            }
            rows.Add(g.One("Concat", cells, hint + "_row", Int("axis", 3)));
        }
        return g.One("Concat", rows, hint, Int("axis", 2));
    }
}
