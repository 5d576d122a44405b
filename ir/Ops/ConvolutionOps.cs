using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>NCHW convolution; pooling over NCHW or CHW.</summary>
internal static class ConvolutionOps
{
    public static IEnumerable<OpDef> Define()
    {
        yield return new OpDef
        {
            Name = "conv2d",
            Operands = ["input", "weight", "bias"],
            Attributes = [AttrDef.Ints("stride"), AttrDef.Ints("padding"), AttrDef.Ints("dilation"), AttrDef.Int("groups")],
            Rule = Conv2d,
            Cost = Conv2dCost,
        };
        foreach (var name in new[] { "max_pool2d", "avg_pool2d" })
        {
            yield return new OpDef
            {
                Name = name,
                Operands = ["input"],
                Attributes = [AttrDef.Ints("kernelSize"), AttrDef.Ints("stride"), AttrDef.Ints("padding")],
                Rule = Pool2d,
                Cost = (call, results) =>
                {
                    var k = Pair(call, "kernelSize", null);
                    return new((long)k.H * k.W * CostRules.ResultElements(results), CostRules.Bytes(call, results));
                },
            };
        }
        foreach (var name in new[] { "adaptive_avg_pool2d", "adaptive_max_pool2d" })
        {
            yield return new OpDef
            {
                Name = name,
                Operands = ["input"],
                Attributes = [AttrDef.Ints("outputSize")],
                Rule = AdaptivePool2d,
                Cost = CostRules.PerInputElement(1),
            };
        }
    }

    /// <summary>A (height, width) pair given as one or two ints; <paramref name="fallback"/>
    /// stands in for an empty list.</summary>
    private static (int H, int W) Pair(OpCall call, string attr, (int, int)? fallback)
    {
        var v = call.Ints(attr);
        return v.Length switch
        {
            1 => (v[0], v[0]),
            2 => (v[0], v[1]),
            0 when fallback is { } f => f,
            _ => throw call.Fail($"attribute '{attr}' must have {(fallback is null ? "" : "0, ")}1 or 2 values, got [{string.Join(", ", v)}]"),
        };
    }

    private static TensorType Nchw(OpCall call)
    {
        var input = call.Tensor(0);
        call.RequireDType(input, "input", DType.Float32);
        if (input.Rank != 4) throw call.Fail($"input must be NCHW (rank 4), got {input}");
        return input;
    }

    /// <summary>Pooling input: NCHW, or CHW (unbatched), as PyTorch accepts.</summary>
    private static TensorType PoolInput(OpCall call)
    {
        var input = call.Tensor(0);
        call.RequireDType(input, "input", DType.Float32);
        if (input.Rank is not (3 or 4)) throw call.Fail($"input must be NCHW or CHW (rank 4 or 3), got {input}");
        return input;
    }

    /// <summary>The input shape with its last two (spatial) dims replaced.</summary>
    private static IEnumerable<int> WithSpatial(TensorType input, int h, int w) => [.. input.Shape[..^2], h, w];

    private static int OutSize(OpCall call, int size, int kernel, int stride, int padding, int dilation)
    {
        if (size == TensorType.Dynamic) return size;
        if (stride < 1 || padding < 0 || dilation < 1 || kernel < 1)
            throw call.Fail($"invalid window: kernel {kernel}, stride {stride}, padding {padding}, dilation {dilation}");
        var o = (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
        if (o < 1 || size + 2 * padding < dilation * (kernel - 1) + 1)
            throw call.Fail($"window of size {kernel} (dilation {dilation}, padding {padding}) does not fit input size {size}");
        return o;
    }

    private static IReadOnlyList<IRType> Conv2d(OpCall call)
    {
        var input = Nchw(call);
        TensorType w = call.Tensor(1), bias = call.Tensor(2);
        var groups = call.Int("groups");
        if (w.Rank != 4 || bias.Rank != 1)
            throw call.Fail($"weight must be [out, in/groups, kh, kw] and bias [out]; got {w} and {bias}");
        if (groups < 1 || (input.Shape[1] != TensorType.Dynamic && input.Shape[1] % groups != 0) || w.Shape[0] % groups != 0)
            throw call.Fail($"groups {groups} does not divide the channels of {input} and {w}");
        if (input.Shape[1] != TensorType.Dynamic && w.Shape[1] * groups != input.Shape[1])
            throw call.Fail($"weight {TensorType.FormatShape(w.Shape)} expects {w.Shape[1] * groups} input channels, input {TensorType.FormatShape(input.Shape)} has {input.Shape[1]}");
        if (!OpCall.DimsAgree(bias.Shape[0], w.Shape[0]))
            throw call.Fail($"bias {TensorType.FormatShape(bias.Shape)} does not match {w.Shape[0]} output channels");
        var s = Pair(call, "stride", null);
        var p = Pair(call, "padding", null);
        var d = Pair(call, "dilation", null);
        var h = OutSize(call, input.Shape[2], w.Shape[2], s.H, p.H, d.H);
        var wd = OutSize(call, input.Shape[3], w.Shape[3], s.W, p.W, d.W);
        return call.One(input.WithShape([input.Shape[0], w.Shape[0], h, wd]));
    }

    private static OpCost Conv2dCost(OpCall call, IReadOnlyList<IRType> results)
    {
        var w = call.Tensor(1);
        long perOutput = 2L * w.Shape[1] * w.Shape[2] * w.Shape[3] + 1;
        return new(perOutput * CostRules.ResultElements(results), CostRules.Bytes(call, results));
    }

    private static IReadOnlyList<IRType> Pool2d(OpCall call)
    {
        var input = PoolInput(call);
        var k = Pair(call, "kernelSize", null);
        var s = Pair(call, "stride", k);
        var p = Pair(call, "padding", (0, 0));
        if (2 * p.H > k.H || 2 * p.W > k.W)
            throw call.Fail($"padding ({p.H}, {p.W}) must be at most half the kernel size ({k.H}, {k.W})");
        var h = OutSize(call, input.Shape[^2], k.H, s.H, p.H, 1);
        var w = OutSize(call, input.Shape[^1], k.W, s.W, p.W, 1);
        return call.One(input.WithShape(WithSpatial(input, h, w)));
    }

    private static IReadOnlyList<IRType> AdaptivePool2d(OpCall call)
    {
        var input = PoolInput(call);
        var o = Pair(call, "outputSize", null);
        if (o.H < 0 || o.W < 0) throw call.Fail($"output size ({o.H}, {o.W}) must not be negative");
        return call.One(input.WithShape(WithSpatial(input, o.H, o.W)));
    }
}
