using System.Runtime.InteropServices;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>How an execution state reads back the one element an <c>item</c> needs: copied
/// asynchronously on the state's stream into a small page-locked host buffer the state owns (so
/// the driver copies by DMA straight into memory the host reads, with no staging copy), then one
/// synchronisation. Where the accelerator cannot page-lock host memory, the element is copied into
/// ordinary host memory on the same stream instead; the value read is the same.</summary>
internal sealed class ScalarReadback : IDisposable
{
    /// <summary>Room for the widest element (i64).</summary>
    private const int Capacity = 8;

    /// <summary>One page-locked array per element size (1, 4 and 8 bytes), since ILGPU copies a
    /// view into a page-locked array of the same length.</summary>
    private readonly PageLockedArray1D<byte>?[] _pinned = new PageLockedArray1D<byte>?[Capacity + 1];

    /// <param name="pageLocked">False to read through ordinary host memory even where page-locked
    /// memory is available (the fallback path, for tests).</param>
    public ScalarReadback(Accelerator accelerator, bool pageLocked = true)
    {
        if (!pageLocked) return;
        try
        {
            foreach (var size in (ReadOnlySpan<int>)[1, 4, 8]) _pinned[size] = accelerator.AllocatePageLocked1D<byte>(size);
            IsPageLocked = true;
        }
        catch (Exception e) when (e is NotSupportedException or NotImplementedException or InvalidOperationException or AcceleratorException)
        {
            Dispose();
        }
    }

    /// <summary>Whether reads go through page-locked host memory.</summary>
    public bool IsPageLocked { get; private set; }

    /// <summary>The one element of <paramref name="source"/> as a float, as <c>item</c> reads it:
    /// waits for the work queued on <paramref name="stream"/> before it, once.</summary>
    public float Read(AcceleratorStream stream, DeviceTensor source)
    {
        if (source.Length != 1)
            throw new TensorOpException("item", $"needs a tensor with one element, got shape [{string.Join(", ", source.Shape)}]");
        var size = source.DType.ElementSize();
        Span<byte> bytes = stackalloc byte[Capacity];
        if (IsPageLocked && _pinned[size] is { } pinned)
        {
            source.Bytes.SubView(0, size).AsDense().CopyToPageLockedAsync(stream, pinned);
            stream.Synchronize();
            pinned.Span[..size].CopyTo(bytes);
        }
        else
        {
            source.Bytes.SubView(0, size).CopyToCPU(stream, ref bytes[0], size);
            stream.Synchronize();
        }
        GpuTransfers.ScalarRead();
        return source.DType switch
        {
            DType.Float32 => MemoryMarshal.Read<float>(bytes),
            DType.Int32 => MemoryMarshal.Read<int>(bytes),
            DType.Int64 => MemoryMarshal.Read<long>(bytes),
            _ => bytes[0] != 0 ? 1f : 0f,
        };
    }

    public void Dispose()
    {
        IsPageLocked = false;
        for (var i = 0; i < _pinned.Length; i++)
        {
            _pinned[i]?.Dispose();
            _pinned[i] = null;
        }
    }
}
