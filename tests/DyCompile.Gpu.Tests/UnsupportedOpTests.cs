using DyCompile.Backends.Gpu;
using DyCompile.Compiler;
using DyCompile.Compiler.Jit;
using DyCompile.Compiler.Tests;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Gpu.Tests;

/// <summary>An op the device cannot run is a compile-time error naming the op and where it is,
/// never a round trip to the host in the middle of a segment: an eager region (<c>host.call</c>)
/// that reads a tensor a segment computes is such an op.</summary>
public class UnsupportedOpTests
{
    private const string EagerRegionOnATensor = """
        program @p(%x: tensor<f32, [2, 3]>) -> (tensor<f32, [2, 3]>) {
        ^entry(%x: tensor<f32, [2, 3]>):
          %t = tanh(%x)
          %f = const 0 : int
          %c = host.call(%f, %t) : int
          %s = relu(%t)
          return %s
        }
        """;

    [Fact]
    public void AnEagerRegionReadingADeviceTensorIsRefusedAtCompileTime()
    {
        var program = IRProgram.Parse(EagerRegionOnATensor);
        var callbacks = new HostCallbacks();
        callbacks.Add("Model.Forward@3:5", _ => { });
        // The CPU backend runs it (the region reads the host tensor) ...
        using (var cpu = JitCompiler.Compile(program, null, new CompileOptions(), callbacks))
            Assert.Equal(2, cpu.Run([Tensor.FromArray([0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f], 2, 3)]).Outputs.OfType<Tensor>().Single().Rank);
        // ... the device refuses it rather than reading the tensor back in the middle of a segment.
        var e = Assert.Throws<GpuUnsupportedOpException>(() => JitCompiler.Compile(program, null, GpuCompile.Options, callbacks));
        Assert.Equal("host.call", e.Op);
        Assert.Equal("entry", e.Block);
        Assert.Contains("host.call", e.Message);
    }

    [Fact]
    public void EveryCatalogOpWithoutAFormulaHasADeviceKernelOrIsReadBackByTheHost()
    {
        var missing = OpCatalog.All.Where(op => op.Kind == OpKind.Tensor && op.HasKernel && op.Formula is null && op.Name != "cast"
                && !GpuSegmentPlan.ViewOps.Contains(op.Name) && !Backends.Gpu.Kernels.GpuKernelLibrary.Implements(op.Name))
            .Select(op => op.Name).ToList();
        Assert.Equal(Backends.Gpu.Kernels.GpuKernelLibrary.Unsupported.Keys.Order(StringComparer.Ordinal), missing.Order(StringComparer.Ordinal));
    }
}
