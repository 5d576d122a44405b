using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DyCompile.Runtime;

/// <summary>Reads and writes the safetensors weights format: an 8-byte little-endian header
/// length N, N bytes of JSON header, then the raw little-endian tensor data. Each header entry
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> locates a tensor relative to the
/// start of the data; the optional <c>__metadata__</c> entry maps strings to strings.</summary>
/// <remarks>F32, I32, I64 and BOOL tensors load as the runtime dtype of the same name. F16, BF16
/// and F64 tensors load converted to f32 (the runtime computes in f32): F16 and BF16 values
/// exactly, F64 values rounded to the nearest f32 (beyond f32's range to an infinity);
/// <see cref="SafeTensorsContent.StoredDTypes"/> says what each tensor was stored as. Saving
/// writes each tensor as its runtime dtype, so a converted tensor saves as F32.
/// Loading validates the whole file and reports any malformed content as a
/// <see cref="SafeTensorsFormatException"/>, never as another exception type; failures of the
/// file system or the stream itself (a missing file, a read error) surface as the usual I/O
/// exceptions.</remarks>
public static class SafeTensors
{
    // ---- loading ----

    public static IReadOnlyDictionary<string, Tensor> Load(string path) => Read(path).Tensors;

    public static IReadOnlyDictionary<string, Tensor> Load(Stream stream) => Read(stream).Tensors;

    public static IReadOnlyDictionary<string, Tensor> Load(byte[] bytes) => Read(bytes).Tensors;

    public static SafeTensorsContent Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return ReadSeekable(stream);
    }

    public static SafeTensorsContent Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return ReadSeekable(new MemoryStream(bytes, writable: false));
    }

    /// <summary>Reads a file from the stream's current position to its end.</summary>
    public static SafeTensorsContent Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek) return ReadSeekable(stream);
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return ReadSeekable(copy);
    }

    private static SafeTensorsContent ReadSeekable(Stream stream)
    {
        var start = stream.Position;
        var available = stream.Length - start;
        if (available < 8)
            throw new SafeTensorsFormatException($"file is {available} bytes, too short for the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > SafeTensorsHeader.MaxHeaderLength)
            throw new SafeTensorsFormatException($"header length {headerLength} exceeds the limit of {SafeTensorsHeader.MaxHeaderLength} bytes");
        if ((long)headerLength > available - 8)
            throw new SafeTensorsFormatException($"header length {headerLength} exceeds the {available - 8} bytes that follow the length field");
        var header = new byte[headerLength];
        ReadExactly(stream, header);
        var dataStart = start + 8 + (long)headerLength;
        var (entries, metadata) = SafeTensorsHeader.Parse(header, stream.Length - dataStart);

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var storedDTypes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            stream.Position = dataStart + entry.Begin;
            tensors.Add(entry.Name, ReadTensor(stream, entry));
            storedDTypes.Add(entry.Name, entry.Stored.Name());
        }
        return new SafeTensorsContent(tensors.AsReadOnly(), metadata.AsReadOnly()) { StoredDTypes = storedDTypes.AsReadOnly() };
    }

    /// <summary>Reads a tensor's bytes straight into its storage (weights files are large; no staging copy).</summary>
    private static Tensor ReadTensor(Stream stream, SafeTensorsEntry entry)
    {
        var tensor = Tensor.Zeros(entry.Stored.LoadsAs(), entry.Shape);
        if (!entry.Stored.IsNative())
        {
            ReadConverted(stream, entry.Stored, tensor.Floats);
            return tensor;
        }
        Span<byte> storage = tensor.Storage switch
        {
            float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
            long[] l => MemoryMarshal.AsBytes(l.AsSpan()),
            bool[] b => MemoryMarshal.AsBytes(b.AsSpan()),
            _ => throw new InvalidOperationException($"no reader for dtype {tensor.DType.ShortName()}"),
        };
        ReadExactly(stream, storage);
        if (tensor.DType == DType.Bool)
            foreach (ref var b in tensor.Bools) b = Unsafe.As<bool, byte>(ref b) != 0; // any non-zero byte is true; store it as 1
        return tensor;
    }

    /// <summary>Reads F16, BF16 or F64 elements in chunks and converts them to f32, so the
    /// staging buffer stays small whatever the tensor's size.</summary>
    private static void ReadConverted(Stream stream, StoredDType stored, Span<float> destination)
    {
        const int chunkBytes = 1 << 16;
        var size = stored.ElementSize();
        var buffer = ArrayPool<byte>.Shared.Rent(chunkBytes);
        try
        {
            var perChunk = chunkBytes / size;
            for (var start = 0; start < destination.Length; start += perChunk)
            {
                var count = Math.Min(perChunk, destination.Length - start);
                var bytes = buffer.AsSpan(0, count * size);
                ReadExactly(stream, bytes);
                stored.ConvertToSingle(bytes, destination.Slice(start, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            // Only possible when the stream shrinks while it is read; the length was checked.
            throw new SafeTensorsFormatException("file ends early", e);
        }
    }

    // ---- saving ----

    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        Save(stream, tensors, metadata);
    }

    public static byte[] SaveToBytes(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var stream = new MemoryStream();
        Save(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>Writes tensors in ordinal name order, the header padded with spaces so that the
    /// data starts 8-byte aligned.</summary>
    public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        foreach (var (name, tensor) in ordered)
        {
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved and cannot name a tensor", nameof(tensors));
            ArgumentNullException.ThrowIfNull(tensor, $"{nameof(tensors)}['{name}']");
        }

        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in ordered)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", StoredDTypes.NameOf(tensor.DType));
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                var size = (long)tensor.Length * tensor.DType.ElementSize();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }
            json.WriteEndObject();
        }
        var padding = (int)((8 - header.Length % 8) % 8);
        for (var i = 0; i < padding; i++) header.WriteByte((byte)' ');

        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (var (_, tensor) in ordered) stream.Write(tensor.AsBytes());
    }
}
