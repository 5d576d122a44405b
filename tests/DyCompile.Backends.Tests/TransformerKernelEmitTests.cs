using DyCompile.Backends.Cpu;
using DyCompile.IR;
using DyCompile.Passes.Partition;

namespace DyCompile.Backends.Tests;

/// <summary>Which runtime kernels the CPU emitter calls for the ops of a transformer block. The
/// compiled results themselves are checked against the eager kernels and ONNX Runtime by the zoo
/// tests; here: a weight is packed once (a per-call activation never is), layer norm and batched
/// matmul write into planned buffers, gelu joins fused loops, a head split copies whole rows, kᵀ runs the tiled transpose, and long softmax rows run the runtime kernel.</summary>
public class TransformerKernelEmitTests
{
    private static string Emit(IRProgram program)
    {
        var graph = program.Entry.ToGraph(program.Weights);
        var writer = new CodeWriter();
        new SegmentEmitter(new DistinctSegment(0, graph, "transformer block"), "Block").Emit(writer, "test");
        return writer.ToString();
    }

    [Fact]
    public void TransformerBlockCallsThePackedGemmAndTheIntoKernels()
    {
        var pb = new ProgramBuilder("block");
        var x = pb.Input("x", IRType.F32(128, 64));
        var other = pb.Input("other", IRType.F32(32, 64));
        var w1 = pb.Weight("w1", IRType.F32(256, 64));
        var b1 = pb.Weight("b1", IRType.F32(256));
        var lnW = pb.Weight("ln_w", IRType.F32(64));
        var lnB = pb.Weight("ln_b", IRType.F32(64));
        var bias = pb.Weight("b2", IRType.F32(32));
        var b = pb.Entry;
        var n = b.Op("layer_norm", [x, lnW, lnB], new Attrs { { "eps", 1e-5f } });
        var h = b.Linear(n, w1, b1);
        h = b.Mul(b.Op("gelu", h), h);
        // An activation as a linear layer's weight: its values change every call.
        var mixed = b.Linear(n, other, bias);
        var heads = b.Op("transpose", [b.Reshape(h, 1, 128, 4, 64)], new Attrs { { "dim0", 1 }, { "dim1", 2 } });
        var scores = b.Op("matmul", heads, b.Op("transpose", [heads], new Attrs { { "dim0", -2 }, { "dim1", -1 } }));
        scores = b.Softmax(scores, -1);
        b.Return(scores, mixed);
        var code = Emit(pb.Build());

        Assert.Contains("TensorOps.LayerNormInto(", code);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(code, @"GemmPackedB\.OfLinearWeight\(w"));
        Assert.Contains("Gemm.Sgemm(false, true, 128, 32, 64,", code);
        Assert.Contains("GeluMath.NormalCdf(", code);
        Assert.Contains("TensorOps.MatMulInto(", code);
        Assert.Contains("CopyTo(dst.Slice(o, 64))", code);
        Assert.Contains("TensorOps.SoftmaxInto(", code);
        Assert.Contains("MatrixTranspose.SwapLastTwo(", code);
        Assert.DoesNotContain("TensorOps.Gelu(", code);
        Assert.DoesNotContain("TensorOps.LayerNorm(", code);
        Assert.DoesNotContain("TensorOps.MatMul(", code);
    }
}
