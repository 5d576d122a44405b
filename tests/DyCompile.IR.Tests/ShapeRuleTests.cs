using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

/// <summary>Shape rules and cost estimates on hand-computed cases, including rejections.</summary>
public class ShapeRuleTests
{
    private static IRType Infer(string op, IRType[] operands, Attrs? attrs = null) =>
        Assert.Single(OpCatalog.Infer(op, operands, attrs ?? new Attrs()).Unwrap());

    private static string Reject(string op, IRType[] operands, Attrs? attrs = null)
    {
        var r = OpCatalog.Infer(op, operands, attrs ?? new Attrs());
        Assert.False(r.Succeeded);
        return r.ErrorMessage!;
    }

    [Fact]
    public void BroadcastingAndDynamicDims()
    {
        Assert.Equal(IRType.F32(5, 4, 3), Infer("add", [IRType.F32(4, 1), IRType.F32(5, 1, 3)]));
        Assert.Equal(IRType.F32(-1, 3), Infer("mul", [IRType.F32(-1, 1), IRType.F32(3)]));
        Assert.Equal(IRType.Tensor(DType.Bool, 2, 3), Infer("lt", [IRType.F32(2, 3), IRType.F32(1)]));
        Assert.Equal("add: shapes [2, 3] and [4] cannot be broadcast (operands: tensor<f32, [2, 3]>, tensor<f32, [4]>)",
            Reject("add", [IRType.F32(2, 3), IRType.F32(4)]));
        Assert.Equal("div: operand 'a' has dtype i32, expected f32 (operands: tensor<i32, [2]>, tensor<i32, [2]>)",
            Reject("div", [IRType.Tensor(DType.Int32, 2), IRType.Tensor(DType.Int32, 2)]));
    }

    [Fact]
    public void MatMulFollowsTorchMatmul()
    {
        Assert.Equal(IRType.F32(), Infer("matmul", [IRType.F32(3), IRType.F32(3)]));
        Assert.Equal(IRType.F32(4), Infer("matmul", [IRType.F32(3), IRType.F32(3, 4)]));
        Assert.Equal(IRType.F32(2), Infer("matmul", [IRType.F32(2, 3), IRType.F32(3)]));
        Assert.Equal(IRType.F32(7, 5, 2, 4), Infer("matmul", [IRType.F32(5, 2, 3), IRType.F32(7, 1, 3, 4)]));
        Assert.StartsWith("matmul: inner dimensions differ: [2, 3] @ [4]", Reject("matmul", [IRType.F32(2, 3), IRType.F32(4)]));
    }

    [Fact]
    public void ConvolutionAndPoolingWindows()
    {
        var conv = new Attrs { { "stride", new[] { 2, 1 } }, { "padding", new[] { 1, 0 } }, { "dilation", new[] { 1, 2 } }, { "groups", 2 } };
        // H: (7 + 2 - 2 - 1) / 2 + 1 = 4; W: (6 - 4 - 1) / 1 + 1 = 2
        Assert.Equal(IRType.F32(1, 6, 4, 2), Infer("conv2d", [IRType.F32(1, 4, 7, 6), IRType.F32(6, 2, 3, 3), IRType.F32(6)], conv));
        Assert.StartsWith("conv2d: weight [6, 3, 3, 3] expects 3 input channels, input [1, 4, 7, 6] has 4",
            Reject("conv2d", [IRType.F32(1, 4, 7, 6), IRType.F32(6, 3, 3, 3), IRType.F32(6)], new Attrs { { "stride", new[] { 1 } }, { "padding", new[] { 0 } }, { "dilation", new[] { 1 } }, { "groups", 1 } }));
        var pool = new Attrs { { "kernelSize", new[] { 3, 2 } }, { "stride", new[] { 2, 2 } }, { "padding", new[] { 1, 1 } } };
        // H: (7 + 2 - 3) / 2 + 1 = 4; W: (6 + 2 - 2) / 2 + 1 = 4
        Assert.Equal(IRType.F32(1, 2, 4, 4), Infer("max_pool2d", [IRType.F32(1, 2, 7, 6)], pool));
        Assert.Equal(IRType.F32(1, 2, 3, 2), Infer("adaptive_avg_pool2d", [IRType.F32(1, 2, 7, 5)], new Attrs { { "outputSize", new[] { 3, 2 } } }));
    }

    [Fact]
    public void ReductionsAndIndexing()
    {
        var x = IRType.F32(2, 3, 4);
        Assert.Equal(IRType.F32(1, 3, 1), Infer("sum", [x], new Attrs { { "dims", new[] { 0, -1 } }, { "keepdim", true } }));
        Assert.Equal(IRType.F32(), Infer("max", [x], new Attrs { { "dims", Array.Empty<int>() }, { "keepdim", false } }));
        Assert.Equal(IRType.Tensor(DType.Int64, 2, 4), Infer("argmax", [x], new Attrs { { "dim", 1 }, { "keepdim", false } }));
        Assert.Equal("sum: dim 3 is out of range for rank 3 (operands: tensor<f32, [2, 3, 4]>)",
            Reject("sum", [x], new Attrs { { "dims", new[] { 3 } }, { "keepdim", false } }));
        var top = OpCatalog.Infer("topk", [x], new Attrs { { "k", 2 }, { "dim", 1 }, { "largest", false } }).Unwrap();
        Assert.True(top.SequenceEqual([IRType.F32(2, 2, 4), IRType.Tensor(DType.Int64, 2, 2, 4)]));
        Assert.Equal(IRType.F32(2, 3, 8), Infer("embedding", [IRType.Tensor(DType.Int64, 2, 3), IRType.F32(10, 8)]));
    }

    [Fact]
    public void ShapeOps()
    {
        var x = IRType.F32(2, 3, 4);
        Assert.Equal(IRType.F32(4, 6), Infer("reshape", [x], new Attrs { { "shape", new[] { 4, -1 } } }));
        Assert.StartsWith("reshape: cannot reshape tensor<f32, [2, 3, 4]> (24 elements) to [5, 5]", Reject("reshape", [x], new Attrs { { "shape", new[] { 5, 5 } } }));
        Assert.Equal(IRType.F32(4, 2, 3), Infer("permute", [x], new Attrs { { "dims", new[] { 2, 0, 1 } } }));
        // Python slicing: [-5:100:2] of 6 items is items 1, 3, 5.
        Assert.Equal(IRType.F32(3, 3), Infer("slice", [IRType.F32(6, 3)], new Attrs { { "dim", 0 }, { "start", -5 }, { "end", 100 }, { "step", 2 } }));
        Assert.Equal(IRType.F32(0, 3), Infer("slice", [IRType.F32(6, 3)], new Attrs { { "dim", 0 }, { "start", 4 }, { "end", 2 }, { "step", 1 } }));
        Assert.Equal(IRType.F32(1, 3), Infer("squeeze", [IRType.F32(1, 3, 1)], new Attrs { { "dims", new[] { 1, 2 } } }));
        Assert.Equal(IRType.F32(2, 3, 5), Infer("expand", [IRType.F32(3, 1)], new Attrs { { "shape", new[] { 2, -1, 5 } } }));
        Assert.Equal(IRType.F32(2, 7), Infer("concat", [IRType.F32(2, 3), IRType.F32(2, 4)], new Attrs { { "dim", -1 } }));
        Assert.Equal("concat: shapes [2, 3] and [3, 4] differ outside dim 1 (operands: tensor<f32, [2, 3]>, tensor<f32, [3, 4]>)",
            Reject("concat", [IRType.F32(2, 3), IRType.F32(3, 4)], new Attrs { { "dim", 1 } }));
    }

    [Fact]
    public void HostOps()
    {
        Assert.Equal(IRType.Int, Infer("host.add", [IRType.Int, IRType.Int]));
        Assert.Equal(IRType.Bool, Infer("host.lt", [IRType.Float, IRType.Float]));
        Assert.Equal(IRType.Float, Infer("host.select", [IRType.Bool, IRType.Float, IRType.Float]));
        Assert.Equal(IRType.F32(), Infer("tensor.from_scalar", [IRType.Float]));
        Assert.Equal("host.add: operands 'a' and 'b' differ: int and float (operands: int, float)", Reject("host.add", [IRType.Int, IRType.Float]));
        Assert.Equal("host.and: operand 'a' must be bool, got int (operands: int, bool)", Reject("host.and", [IRType.Int, IRType.Bool]));
        Assert.Equal("item: needs a tensor with one element, got tensor<f32, [2]> (operands: tensor<f32, [2]>)", Reject("item", [IRType.F32(2)]));
    }

    [Fact]
    public void SignatureProblems()
    {
        Assert.Equal("relu: expects 1 operand(s) (x), got 2", Reject("relu", [IRType.F32(1), IRType.F32(1)]));
        Assert.Equal("softmax: missing attribute 'dim' (int)", Reject("softmax", [IRType.F32(2)]));
        Assert.Equal("nope: unknown op", Reject("nope", []));
    }

    [Fact]
    public void CostEstimates()
    {
        // matmul [2, 3] x [3, 4]: 2 * 3 multiply-adds per output element, 8 outputs.
        var mm = OpCatalog.Cost("matmul", [IRType.F32(2, 3), IRType.F32(3, 4)], new Attrs(), [IRType.F32(2, 4)]);
        Assert.Equal(new OpCost(48, (6 + 12 + 8) * 4), mm);
        // conv2d: per output 2 * (in/groups) * kh * kw + 1 (bias).
        var conv = OpCatalog.Cost("conv2d", [IRType.F32(1, 4, 7, 6), IRType.F32(6, 2, 3, 3), IRType.F32(6)],
            new Attrs { { "stride", new[] { 2, 1 } }, { "padding", new[] { 1, 0 } }, { "dilation", new[] { 1, 2 } }, { "groups", 2 } }, [IRType.F32(1, 6, 4, 2)]);
        Assert.Equal(48 * (2 * 2 * 9 + 1), conv.Flops);
        Assert.Equal(new OpCost(6, 6 * 4 * 2), OpCatalog.Cost("relu", [IRType.F32(2, 3)], new Attrs(), [IRType.F32(2, 3)]));
        Assert.Equal(new OpCost(0, 8 * 4 * 2), OpCatalog.Cost("reshape", [IRType.F32(2, 4)], new Attrs { { "shape", new[] { 8 } } }, [IRType.F32(8)]));
        Assert.All(OpCatalog.All, op => Assert.True(op.Cost is not null));
    }
}
