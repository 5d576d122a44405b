using DyCompile.Backends.Gpu;
using DyCompile.Backends.Gpu.Kernels;
using DyCompile.IR;

namespace DyCompile.Gpu.Tests.Kernels;

/// <summary>Every catalog tensor op that is not an elementwise formula has a GPU kernel, or is on
/// the one list of unsupported ops, so an op added without a GPU entry fails here.</summary>
public sealed class CatalogCoverageTests
{
    [Fact]
    public void EveryNonFormulaOpHasAKernelOrIsListedAsUnsupported()
    {
        var missing = OpCatalog.All
            .Where(op => op.HasKernel && op.Formula is null)
            .Select(op => op.Name)
            .Where(name => !GpuKernelLibrary.Implements(name) && !GpuKernelLibrary.Unsupported.ContainsKey(name))
            .ToArray();
        Assert.True(missing.Length == 0, $"ops with no GPU kernel and not listed as unsupported: {string.Join(", ", missing)}");
    }

    [Fact]
    public void KernelsNameOnlyCatalogOpsThatNeedThem()
    {
        foreach (var name in GpuKernelLibrary.Ops)
        {
            Assert.True(OpCatalog.TryGet(name, out var op), $"the GPU kernel of '{name}' names no catalog op");
            Assert.True(op.HasKernel && op.Formula is null, $"'{name}' is an elementwise formula (rendered by the segment emitter) or has no kernel");
        }
        foreach (var name in GpuKernelLibrary.Unsupported.Keys)
            Assert.False(GpuKernelLibrary.Implements(name), $"'{name}' is listed as unsupported but has a kernel");
    }

    [Fact]
    public void EveryKernelClassIsAGpuOpKernelWithAnAcceleratorConstructor()
    {
        foreach (var name in GpuKernelLibrary.Ops)
        {
            var type = GpuKernelLibrary.KernelType(name)!;
            Assert.True(typeof(GpuOpKernel).IsAssignableFrom(type));
            Assert.NotNull(type.GetConstructor([typeof(ILGPU.Runtime.Accelerator)]));
        }
    }
}
