using DyCompile.Backends.Gpu;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Gpu.Tests;

/// <summary>The scalar an <c>item</c> reads back is the device element, whether it comes through
/// the state's page-locked buffer or, where page-locking is not available, through ordinary host
/// memory; each read counts once.</summary>
public class ScalarReadbackTests
{
    public static TheoryData<bool> Paths => new() { true, false };

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryDTypeReadsBackItsElement(bool pageLocked)
    {
        var device = GpuDevice.Open(GpuTarget.IlgpuCpu);
        using var readback = new ScalarReadback(device.Accelerator, pageLocked);
        if (!pageLocked) Assert.False(readback.IsPageLocked);
        (Tensor Value, float Expected)[] cases =
        [
            (Tensor.FromArray([-2.5f], 1), -2.5f),
            (Tensor.FromArray([123456], 1), 123456f),
            (Tensor.FromArray([-(1L << 40)], 1, 1), -(float)(1L << 40)),
            (Tensor.FromArray([true], 1), 1f),
            (Tensor.FromArray([false], 1), 0f),
        ];
        foreach (var (value, expected) in cases)
        {
            using var stored = GpuTensor.Upload(device, value);
            float read;
            var reads = GpuTransfers.ScalarReads;
            lock (device.Gate)
            {
                using var stream = device.Accelerator.CreateStream();
                read = readback.Read(stream, stored.Tensor);
            }
            Assert.Equal(expected, read);
            Assert.Equal(reads + 1, GpuTransfers.ScalarReads);
        }
    }

    [Fact]
    public void TheCpuAcceleratorReadsThroughPageLockedMemory()
    {
        using var readback = new ScalarReadback(GpuDevice.Open(GpuTarget.IlgpuCpu).Accelerator);
        Assert.True(readback.IsPageLocked);
    }

    [Fact]
    public void ReadingATensorOfMoreThanOneElementFailsAsItemDoes()
    {
        var device = GpuDevice.Open(GpuTarget.IlgpuCpu);
        using var readback = new ScalarReadback(device.Accelerator);
        using var stored = GpuTensor.Upload(device, Tensor.FromArray([1f, 2f], 2));
        lock (device.Gate)
            Assert.Throws<TensorOpException>(() => readback.Read(device.Accelerator.DefaultStream, stored.Tensor));
    }
}
