using System.Collections.Immutable;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>A tensor in device memory that the caller owns: what a compiled program's device call
/// (<c>CompiledProgram.RunOnDevice</c>) returns, and what a caller uploads once to feed several
/// calls. Its buffer is its own, not a region of a program's arena, so it stays valid across later
/// calls of any program until the caller disposes it; it can be passed as an input to any program
/// compiled for the same device, or handed back as the destination of a later call's result.</summary>
/// <remarks>Copies to and from the host run under <see cref="GpuDevice.Gate"/>, on the device's
/// default stream, and wait for their completion.</remarks>
public sealed class GpuTensor : IDisposable
{
    private MemoryBuffer1D<byte, Stride1D.Dense>? _buffer;
    private DeviceTensor _tensor;

    private GpuTensor(GpuDevice device, MemoryBuffer1D<byte, Stride1D.Dense> buffer, DType dtype, ImmutableArray<int> shape)
    {
        Device = device;
        _buffer = buffer;
        _tensor = new DeviceTensor(buffer.View, dtype, shape);
    }

    /// <summary>The device the storage lives on.</summary>
    public GpuDevice Device { get; }

    /// <summary>The device view of the elements.</summary>
    /// <exception cref="ObjectDisposedException">The tensor was disposed.</exception>
    public DeviceTensor Tensor
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffer is null, this);
            return _tensor;
        }
    }

    public DType DType => _tensor.DType;

    public ImmutableArray<int> Shape => _tensor.Shape;

    public bool IsDisposed => _buffer is null;

    /// <summary>Bytes the buffer holds (a later result of up to that size is written into it).</summary>
    internal long Capacity => _buffer?.Length ?? 0;

    /// <summary>A device copy of <paramref name="host"/> (one upload).</summary>
    public static GpuTensor Upload(GpuDevice device, Tensor host)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(host);
        lock (device.Gate)
        {
            var result = Allocate(device, host.DType, [.. host.Shape]);
            var stream = device.Accelerator.DefaultStream;
            DeviceCopies.Upload(stream, host, result._tensor.Bytes);
            stream.Synchronize();
            return result;
        }
    }

    /// <summary>The elements as a host tensor (one download).</summary>
    /// <exception cref="ObjectDisposedException">The tensor was disposed.</exception>
    public Tensor Download()
    {
        var tensor = Tensor;
        lock (Device.Gate)
        {
            var stream = Device.Accelerator.DefaultStream;
            var result = DeviceCopies.Download(stream, tensor);
            stream.Synchronize();
            return result;
        }
    }

    /// <summary>Frees the device buffer. Views of it (<see cref="Tensor"/>) must not be used afterwards.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is null) return;
        lock (Device.Gate) buffer.Dispose();
    }

    /// <summary>A new tensor of its own buffer (one device allocation). Call under the device's gate.</summary>
    internal static GpuTensor Allocate(GpuDevice device, DType dtype, ImmutableArray<int> shape)
    {
        var bytes = shape.Aggregate(1L, (n, d) => n * d) * dtype.ElementSize();
        var buffer = device.Accelerator.Allocate1D<byte>(Math.Max(1, bytes));
        GpuTransfers.Allocation();
        return new GpuTensor(device, buffer, dtype, shape);
    }

    /// <summary>Makes the tensor a <paramref name="dtype"/> tensor of <paramref name="shape"/> over
    /// the same buffer, which must hold it (<see cref="Capacity"/>).</summary>
    internal void Reshape(DType dtype, ImmutableArray<int> shape)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        _tensor = new DeviceTensor(_buffer.View, dtype, shape);
    }

    public override string ToString() => IsDisposed ? "disposed device tensor" : _tensor.ToString();
}
