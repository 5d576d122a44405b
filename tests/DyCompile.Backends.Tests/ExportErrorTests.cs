using DyCompile.Backends.Onnx;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Backends.Tests;

public class ExportErrorTests
{
    private static readonly Dictionary<string, Tensor> _noWeights = [];

    [Fact]
    public void UnsupportedOpNamesTheOpAndTheValue()
    {
        var pb = new ProgramBuilder("mystery");
        var x = pb.Input("x", IRType.F32(2, 3));
        var y = pb.Entry.Raw("fourier_transform", [x], null, [IRType.F32(2, 3)], ["spectrum"])[0];
        pb.Entry.Return(y);
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(pb.Build(), _noWeights));
        Assert.Contains("'fourier_transform'", e.Message);
        Assert.Contains("%spectrum", e.Message);
    }

    [Fact]
    public void AdaptivePoolingOfDynamicSizesIsUnsupportedAndNamed()
    {
        var pb = new ProgramBuilder("dynamic_pool");
        var x = pb.Input("x", IRType.F32(1, 2, TensorType.Dynamic, TensorType.Dynamic));
        var y = pb.Entry.Op("adaptive_avg_pool2d", [x], new Attrs { { "outputSize", new[] { 2, 2 } } }, "pooled");
        pb.Entry.Return(y);
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(pb.Build(), _noWeights));
        Assert.Contains("'adaptive_avg_pool2d'", e.Message);
        Assert.Contains("%pooled", e.Message);
    }

    [Fact]
    public void IrreducibleLoopIsNotStructuredAndNamesTheBlock()
    {
        // Two ways into the cycle a ⇄ b, so neither block is a loop header.
        var program = IRProgram.Parse("""
            program @irreducible(%x: float) -> (float) {
            ^entry(%x: float):
              %zero = const 0.0 : float
              %c = host.gt(%x, %zero) : bool
              branch %c, ^a(%x), ^b(%x)
            ^a(%p: float):
              %one = const 1.0 : float
              %q = host.sub(%p, %one) : float
              %z = const 0.0 : float
              %d = host.gt(%q, %z) : bool
              branch %d, ^b(%q), ^out(%q)
            ^b(%r: float):
              %one_b = const 1.0 : float
              %s = host.sub(%r, %one_b) : float
              jump ^a(%s)
            ^out(%o: float):
              return %o
            }
            """);
        Assert.Equal(-0.5f, (float)new Interpreter().Run(program, [2.5f]).Outputs[0]); // it runs fine eagerly
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(program, _noWeights));
        Assert.Contains("not structured", e.Message);
        Assert.Matches(@"\^(a|b)\b", e.Message);
    }

    [Fact]
    public void LoopThatNeverExitsIsNotStructured()
    {
        var program = IRProgram.Parse("""
            program @forever(%x: float) -> (float) {
            ^entry(%x: float):
              %zero = const 0.0 : float
              %c = host.gt(%x, %zero) : bool
              branch %c, ^spin(%x), ^out(%x)
            ^spin(%s: float):
              jump ^spin(%s)
            ^out(%o: float):
              return %o
            }
            """);
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(program, _noWeights));
        Assert.Contains("^spin", e.Message);
    }

    [Fact]
    public void MissingWeightIsNamed()
    {
        var pb = new ProgramBuilder("needs_weight");
        var x = pb.Input("x", IRType.F32(2));
        var w = pb.Weight("scale", IRType.F32(2));
        pb.Entry.Return(pb.Entry.Mul(x, w));
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(pb.Build(), _noWeights));
        Assert.Contains("@scale", e.Message);
    }
}
