using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Backends.Tests;

/// <summary>Each op alone, exported and run by ONNX Runtime, agrees with its runtime kernel run by
/// the interpreter, on several random inputs.</summary>
public class OpExportTests
{
    private delegate (IRProgram Program, IReadOnlyList<object> Inputs) Case(Gen g);

    private static Attrs A(params (string Name, AttrValue Value)[] attrs)
    {
        var a = new Attrs();
        foreach (var (name, value) in attrs) a.Add(name, value);
        return a;
    }

    /// <summary>A one-node program whose operands are its inputs and whose results it returns.</summary>
    private static (IRProgram, IReadOnlyList<object>) Single(string op, Attrs attrs, params Tensor[] operands)
    {
        var pb = new ProgramBuilder(op.Replace('.', '_'));
        var inputs = operands.Select((t, i) => pb.Input($"x{i}", new TensorType(t.DType, t.ShapeArray()))).ToArray();
        var results = pb.Entry.Ops(op, inputs, attrs);
        pb.Entry.Return([.. results]);
        return (pb.Build(), operands);
    }

    private static readonly Dictionary<string, Case> _cases = new()
    {
        ["add_broadcast"] = g => Single("add", A(), g.Normal(2, 3, 4), g.Normal(3, 1)),
        ["sub"] = g => Single("sub", A(), g.Normal(2, 3), g.Normal(2, 3)),
        ["mul_int"] = g => Single("mul", A(), g.Int32(9, 2, 3), g.Int32(9, 1, 3)),
        ["div"] = g => Single("div", A(), g.Normal(4, 5), g.Uniform(0.5f, 2f, 5)),
        ["pow"] = g => Single("pow", A(), g.Uniform(0.1f, 3f, 3, 4), g.Normal(3, 4)),
        ["minimum"] = g => Single("minimum", A(), g.Normal(3, 4), g.Normal(4)),
        ["maximum"] = g => Single("maximum", A(), g.Normal(3, 4), g.Normal(3, 1)),
        ["gt"] = g => Single("gt", A(), g.Normal(3, 4), g.Normal(4)),
        ["ge_int"] = g => Single("ge", A(), g.Int32(3, 3, 4), g.Int32(3, 3, 4)),
        ["lt"] = g => Single("lt", A(), g.Normal(3, 4), g.Normal(3, 4)),
        ["le_int"] = g => Single("le", A(), g.Int64(3, 5), g.Int64(3, 5)),
        ["eq_int"] = g => Single("eq", A(), g.Int32(3, 2, 5), g.Int32(3, 2, 5)),
        ["neg"] = g => Single("neg", A(), g.Normal(2, 5)),
        ["abs"] = g => Single("abs", A(), g.Normal(2, 5)),
        ["exp"] = g => Single("exp", A(), g.Normal(2, 5)),
        ["log"] = g => Single("log", A(), g.Uniform(0.01f, 5f, 2, 5)),
        ["sqrt"] = g => Single("sqrt", A(), g.Uniform(0f, 5f, 2, 5)),
        ["rsqrt"] = g => Single("rsqrt", A(), g.Uniform(0.1f, 5f, 2, 5)),
        ["tanh"] = g => Single("tanh", A(), g.Normal(2, 5)),
        ["sigmoid"] = g => Single("sigmoid", A(), g.Normal(2, 5)),
        ["relu"] = g => Single("relu", A(), g.Normal(2, 5)),
        ["gelu"] = g => Single("gelu", A(), g.Uniform(-6f, 6f, 4, 8)),
        ["silu"] = g => Single("silu", A(), g.Normal(4, 8)),
        ["clamp"] = g => Single("clamp", A(("min", -0.5f), ("max", 0.7f)), g.Normal(3, 7)),
        ["where"] = g => Single("where", A(), g.Bool(3, 4), g.Normal(3, 4), g.Normal(4)),
        ["cast_f32_i32"] = g => Single("cast", A(("dtype", DType.Int32)), g.Uniform(-9f, 9f, 3, 5)),
        ["cast_f32_bool"] = g => Single("cast", A(("dtype", DType.Bool)), g.Int32(3, 3, 5).Cast(DType.Float32)),
        ["cast_i64_f32"] = g => Single("cast", A(("dtype", DType.Float32)), g.Int64(100, 6)),
        ["matmul"] = g => Single("matmul", A(), g.Normal(2, 3, 4), g.Normal(4, 5)),
        ["matmul_batch_broadcast"] = g => Single("matmul", A(), g.Normal(2, 1, 3, 4), g.Normal(5, 4, 2)),
        ["matmul_vector"] = g => Single("matmul", A(), g.Normal(4), g.Normal(3, 4, 2)),
        ["linear_2d"] = g => Single("linear", A(), g.Normal(3, 6), g.Normal(4, 6), g.Normal(4)),
        ["linear_3d"] = g => Single("linear", A(), g.Normal(2, 3, 6), g.Normal(4, 6), g.Normal(4)),
        ["conv2d_strided_grouped"] = g => Single("conv2d", A(("stride", new[] { 2, 2 }), ("padding", new[] { 1, 1 }), ("dilation", new[] { 1, 1 }), ("groups", 2)),
            g.Normal(2, 4, 7, 6), g.Normal(6, 2, 3, 3), g.Normal(6)),
        ["conv2d_dilated"] = g => Single("conv2d", A(("stride", new[] { 1 }), ("padding", new[] { 2, 1 }), ("dilation", new[] { 2, 1 }), ("groups", 1)),
            g.Normal(1, 3, 8, 8), g.Normal(4, 3, 3, 2), g.Normal(4)),
        ["max_pool2d"] = g => Single("max_pool2d", A(("kernelSize", new[] { 3, 3 }), ("stride", new[] { 2, 2 }), ("padding", new[] { 1, 1 })), g.Normal(2, 3, 7, 8)),
        ["max_pool2d_default_stride"] = g => Single("max_pool2d", A(("kernelSize", new[] { 2 }), ("stride", Array.Empty<int>()), ("padding", Array.Empty<int>())), g.Normal(1, 2, 6, 6)),
        ["avg_pool2d_padded"] = g => Single("avg_pool2d", A(("kernelSize", new[] { 3, 3 }), ("stride", new[] { 2, 2 }), ("padding", new[] { 1, 1 })), g.Normal(2, 3, 7, 8)),
        ["adaptive_avg_pool2d_global"] = g => Single("adaptive_avg_pool2d", A(("outputSize", new[] { 1, 1 })), g.Normal(2, 3, 5, 7)),
        ["adaptive_avg_pool2d_even"] = g => Single("adaptive_avg_pool2d", A(("outputSize", new[] { 2, 3 })), g.Normal(1, 3, 4, 6)),
        ["adaptive_avg_pool2d_uneven"] = g => Single("adaptive_avg_pool2d", A(("outputSize", new[] { 2, 3 })), g.Normal(2, 3, 5, 7)),
        ["adaptive_max_pool2d_uneven"] = g => Single("adaptive_max_pool2d", A(("outputSize", new[] { 3 })), g.Normal(1, 2, 7, 5)),
        ["adaptive_max_pool2d_even"] = g => Single("adaptive_max_pool2d", A(("outputSize", new[] { 2 })), g.Normal(1, 3, 4, 6)),
        ["batch_norm"] = g => Single("batch_norm", A(("eps", 1e-5f)), g.Normal(2, 3, 4, 5), g.Normal(3), g.Uniform(0.2f, 2f, 3), g.Normal(3), g.Normal(3)),
        ["layer_norm_last"] = g => Single("layer_norm", A(("eps", 1e-5f)), g.Normal(2, 3, 8), g.Normal(8), g.Normal(8)),
        ["layer_norm_last_two"] = g => Single("layer_norm", A(("eps", 1e-3f)), g.Normal(2, 3, 8), g.Normal(3, 8), g.Normal(3, 8)),
        ["softmax"] = g => Single("softmax", A(("dim", 1)), g.Normal(2, 5, 3)),
        ["log_softmax"] = g => Single("log_softmax", A(("dim", -1)), g.Normal(2, 5, 3)),
        ["sum_dim"] = g => Single("sum", A(("dims", new[] { 1 }), ("keepdim", false)), g.Normal(2, 5, 3)),
        ["sum_all"] = g => Single("sum", A(("dims", Array.Empty<int>()), ("keepdim", false)), g.Normal(2, 5, 3)),
        ["mean_all_keep"] = g => Single("mean", A(("dims", Array.Empty<int>()), ("keepdim", true)), g.Normal(2, 5, 3)),
        ["max_dims_keep"] = g => Single("max", A(("dims", new[] { 0, -1 }), ("keepdim", true)), g.Normal(2, 5, 3)),
        ["min_dim"] = g => Single("min", A(("dims", new[] { 2 }), ("keepdim", false)), g.Normal(2, 5, 3)),
        ["argmax"] = g => Single("argmax", A(("dim", 1), ("keepdim", false)), g.Normal(3, 7)),
        ["argmin_keep"] = g => Single("argmin", A(("dim", -1), ("keepdim", true)), g.Normal(3, 7)),
        ["reshape"] = g => Single("reshape", A(("shape", new[] { -1, 6 })), g.Normal(2, 3, 4)),
        ["transpose"] = g => Single("transpose", A(("dim0", 0), ("dim1", -1)), g.Normal(2, 3, 4)),
        ["permute"] = g => Single("permute", A(("dims", new[] { 2, 0, 1 })), g.Normal(2, 3, 4)),
        ["concat"] = g => Single("concat", A(("dim", 1)), g.Normal(2, 1, 3), g.Normal(2, 4, 3), g.Normal(2, 2, 3)),
        ["split"] = g => Single("split", A(("sizes", new[] { 1, 3, 2 }), ("dim", -1)), g.Normal(2, 6)),
        ["slice_step_clamped"] = g => Single("slice", A(("dim", 1), ("start", 1), ("end", 100), ("step", 2)), g.Normal(2, 7, 3)),
        ["slice_negative"] = g => Single("slice", A(("dim", -1), ("start", -3), ("end", -1), ("step", 1)), g.Normal(2, 7)),
        ["squeeze_all"] = g => Single("squeeze", A(("dims", Array.Empty<int>())), g.Normal(1, 3, 1, 2)),
        ["squeeze_one"] = g => Single("squeeze", A(("dims", new[] { 2 })), g.Normal(1, 3, 1, 2)),
        ["unsqueeze"] = g => Single("unsqueeze", A(("dim", -1)), g.Normal(2, 3)),
        ["expand"] = g => Single("expand", A(("shape", new[] { 2, -1, 4 })), g.Normal(1, 3, 1)),
        ["gather"] = g => Single("gather", A(("dim", 1)), g.Normal(3, 5), g.Int64(5, 3, 4)),
        ["index_select"] = g => Single("index_select", A(("dim", 0)), g.Normal(5, 3), g.Int32(5, 7)),
        ["embedding"] = g => Single("embedding", A(), g.Int64(10, 2, 3), g.Normal(10, 4)),
        ["topk_largest"] = g => Single("topk", A(("k", 3), ("dim", -1), ("largest", true)), g.Normal(2, 6)),
        ["topk_smallest"] = g => Single("topk", A(("k", 2), ("dim", 0), ("largest", false)), g.Normal(5, 3)),
    };

    public static TheoryData<string> Names => new(_cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void InterpreterAndOnnxRuntimeAgree(string name)
    {
        for (var seed = 0; seed < 3; seed++)
        {
            var (program, inputs) = _cases[name](new Gen(seed));
            Agreement.Check(program, new Dictionary<string, Tensor>(), inputs);
        }
    }

    [Fact]
    public void ItemAndFromScalarCrossBetweenTensorsAndHostFloats()
    {
        var pb = new ProgramBuilder("item_roundtrip");
        var x = pb.Input("x", IRType.Tensor(DType.Int64, 1, 1));
        var y = pb.Input("y", IRType.F32(1));
        var e = pb.Entry;
        var sum = e.Host("add", e.Item(x), e.Item(y));
        e.Return(sum, e.Mul(e.FromScalar(sum), y));
        var g = new Gen(1);
        Agreement.Check(pb.Build(), new Dictionary<string, Tensor>(), [g.Int64(50, 1, 1), g.Normal(1)]);
    }
}
