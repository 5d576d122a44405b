using System.Buffers.Binary;
using System.Text;

namespace DyCompile.Runtime.Tests;

public class SafeTensorsTests
{
    /// <summary>A file assembled by hand: length prefix, the given header text, the given data.</summary>
    private static byte[] FileOf(string header, params byte[] data) => FileOf(Encoding.UTF8.GetBytes(header), data);

    private static byte[] FileOf(byte[] header, byte[] data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    private static Dictionary<string, Tensor> Sample() => new()
    {
        ["weight"] = Tensor.FromArray(new[] { 1.5f, -2f, float.MaxValue, float.Epsilon, -0f, 3f }, 2, 3),
        ["ids"] = Tensor.FromArray(new[] { int.MinValue, 0, int.MaxValue }, 3),
        ["big"] = Tensor.FromArray(new[] { long.MinValue, 1L << 40, long.MaxValue, -1L }, 2, 1, 2),
        ["mask"] = Tensor.FromArray(new[] { true, false, true }, 3, 1),
        ["empty"] = Tensor.Zeros(DType.Float32, 0, 4),
        ["empty_i64"] = Tensor.Zeros(DType.Int64, 2, 0),
        ["scalar"] = Tensor.Scalar(7),
    };

    private static void AssertSameTensors(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, t) in expected)
        {
            var back = actual[name];
            Assert.Equal(t.DType, back.DType);
            Assert.Equal(t.ShapeArray(), back.ShapeArray());
            Assert.Equal(t.AsBytes().ToArray(), back.AsBytes().ToArray());
        }
    }

    [Fact]
    public void RoundTripsEveryDTypeAndEmptyTensors()
    {
        var tensors = Sample();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" };
        var bytes = SafeTensors.SaveToBytes(tensors, metadata);
        var content = SafeTensors.Read(bytes);
        AssertSameTensors(tensors, content.Tensors);
        Assert.Equal(metadata, content.Metadata);
    }

    [Fact]
    public void WriterPadsHeaderAndStoresTensorsInNameOrder()
    {
        var bytes = SafeTensors.SaveToBytes(new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.FromArray(new[] { 2 }, 1),
            ["a"] = Tensor.FromArray(new[] { 1L }, 1),
        });
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        Assert.Equal(8 + n + 8 + 4, bytes.Length);
        var header = Encoding.UTF8.GetString(bytes, 8, n);
        Assert.Contains("\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}", header);
        Assert.Contains("\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]}", header);
        Assert.EndsWith("}", header.TrimEnd(' '));
        Assert.InRange(n - header.TrimEnd(' ').Length, 0, 7);
        Assert.Equal(1L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8 + n)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8 + n + 8)));
    }

    [Fact]
    public void LoadsAHandWrittenFile()
    {
        var data = new byte[4 * 2 + 1];
        BinaryPrimitives.WriteSingleLittleEndian(data, 0.25f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), -8f);
        data[8] = 1;
        var file = FileOf("""{"m":{"dtype":"BOOL","shape":[],"data_offsets":[8,9]},"x":{"shape":[2,1],"dtype":"F32","data_offsets":[0,8]},"__metadata__":{"k":"v"}}""", data);
        var content = SafeTensors.Read(file);
        Assert.Equal(new[] { 0.25f, -8f }, content.Tensors["x"].Floats.ToArray());
        Assert.Equal(new[] { 2, 1 }, content.Tensors["x"].ShapeArray());
        Assert.True(content.Tensors["m"].Bools[0]);
        Assert.Equal("v", content.Metadata["k"]);
    }

    [Fact]
    public void NonZeroBoolBytesLoadAsTrueAndSaveAsOne()
    {
        var file = FileOf("""{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}""", 0, 7, 255);
        var mask = SafeTensors.Load(file)["m"];
        Assert.Equal(new[] { false, true, true }, mask.Bools.ToArray());
        var saved = SafeTensors.SaveToBytes(new Dictionary<string, Tensor> { ["m"] = mask });
        Assert.Equal(new byte[] { 0, 1, 1 }, saved[^3..]);
    }

    [Fact]
    public void RoundTripsThroughFilesAndStreams()
    {
        var tensors = Sample();
        var path = Path.Combine(Path.GetTempPath(), $"dycompile-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, tensors);
            AssertSameTensors(tensors, SafeTensors.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
        var buffer = new MemoryStream();
        buffer.Write([9, 9, 9]); // the file starts at the stream's position
        SafeTensors.Save(buffer, tensors);
        buffer.Position = 3;
        AssertSameTensors(tensors, SafeTensors.Load(buffer));
        AssertSameTensors(tensors, SafeTensors.Load(new ForwardOnlyStream(SafeTensors.SaveToBytes(tensors))));
    }

    [Fact]
    public void EveryTruncationIsAFormatError()
    {
        var file = SafeTensors.SaveToBytes(new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.FromArray(new[] { 1f, 2f }, 2),
            ["i"] = Tensor.FromArray(new[] { 3L }, 1),
            ["b"] = Tensor.FromArray(new[] { true }, 1),
        });
        for (var length = 0; length < file.Length; length++)
            Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(file.AsSpan(0, length).ToArray()));
        Assert.Contains("trailing", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load([.. file, 0])).Message);
    }

    [Fact]
    public void RandomByteFlipsYieldOnlyFormatErrorsOrValidFiles()
    {
        var file = SafeTensors.SaveToBytes(new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.FromArray(new[] { 1f, 2f, 3f }, 3, 1),
            ["i"] = Tensor.FromArray(new[] { 3L, 4L }, 2),
            ["m"] = Tensor.FromArray(new[] { true, false }, 2),
            ["e"] = Tensor.Zeros(DType.Int32, 0),
        }, new Dictionary<string, string> { ["k"] = "v" });
        var random = new Random(20261127);
        int loaded = 0, rejected = 0;
        for (var trial = 0; trial < 600; trial++)
        {
            var corrupt = (byte[])file.Clone();
            var flips = 1 + random.Next(3);
            for (var f = 0; f < flips; f++)
            {
                // Mostly the prefix and the header, where the structure is.
                var position = random.Next(4) == 0 ? random.Next(corrupt.Length) : random.Next(Math.Min(corrupt.Length, 8 + 160));
                corrupt[position] = random.Next(3) switch
                {
                    0 => (byte)(corrupt[position] ^ (1 << random.Next(8))),
                    1 => (byte)random.Next(256),
                    _ => (byte)"{}[]\",:-09 \\"[random.Next(12)],
                };
            }
            try
            {
                var tensors = SafeTensors.Load(corrupt);
                Assert.All(tensors.Values, t => Assert.Equal(Shapes.ElementCount(t.Shape), t.Length));
                loaded++;
            }
            catch (SafeTensorsFormatException)
            {
                rejected++;
            }
        }
        Assert.True(rejected > 0 && loaded > 0, $"loaded {loaded}, rejected {rejected}");
    }

    public static TheoryData<string, byte[], string> CorruptHeaders() => new()
    {
        { """{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""", new byte[8], "not valid JSON" },
        { """[1, 2]""", [], "must be a JSON object" },
        { """{"x":{"shape":[2],"data_offsets":[0,8]}}""", new byte[8], "tensor 'x': missing field 'dtype'" },
        { """{"x":{"dtype":"F32","data_offsets":[0,8]}}""", new byte[8], "tensor 'x': missing field 'shape'" },
        { """{"x":{"dtype":"F32","shape":[2]}}""", new byte[8], "tensor 'x': missing field 'data_offsets'" },
        { """{"x":{"dtype":7,"shape":[2],"data_offsets":[0,8]}}""", new byte[8], "tensor 'x': field 'dtype' must be a string" },
        { """{"x":{"dtype":"F8_E5M2","shape":[2],"data_offsets":[0,2]}}""", new byte[2], "tensor 'x': unsupported dtype 'F8_E5M2' (supported: F32, I32, I64, BOOL, and F16, BF16, F64" },
        { """{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", new byte[8], "tensor 'x': shape[0] = -2 is negative" },
        { """{"x":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", new byte[8], "tensor 'x': shape[0] must be an integer" },
        { """{"x":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}""", new byte[8], "tensor 'x': field 'shape' must be an array" },
        { """{"x":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,8]}}""", new byte[8], "tensor 'x': shape [65536, 65536] has more than" },
        { """{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8], "tensor 'x': shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] hold 8" },
        { """{"x":{"dtype":"F32","shape":[2],"data_offsets":[0]}}""", new byte[8], "tensor 'x': data_offsets must be [begin, end]" },
        { """{"x":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", new byte[8], "tensor 'x': data_offsets must be [begin, end]" },
        { """{"x":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", new byte[8], "tensor 'x': data_offsets [8, 0] end before they begin" },
        { """{"x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[8], "tensor 'x': data_offsets [4, 12] reach past the 8 data bytes" },
        { """{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}""", new byte[8], "tensor 'y': data_offsets [4, 8] overlap tensor 'x' [0, 8]" },
        { """{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8], "tensor 'x': data_offsets [4, 8] leave data bytes [0, 4) unused" },
        { """{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[8], "tensors end at data byte 4, but the file holds 8 data bytes (trailing bytes)" },
        { """{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8], "header names 'x' twice" },
        { """{"x":[1]}""", [], "tensor 'x': entry must be an object" },
        { """{"__metadata__":{"k":1}}""", [], "__metadata__ entry 'k' must be a string" },
        { """{"__metadata__":[]}""", [], "__metadata__ must be an object of strings" },
        { """{"x\ud800":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}""", [], "undecodable" },
    };

    [Theory]
    [MemberData(nameof(CorruptHeaders))]
    public void CorruptHeadersAreNamed(string header, byte[] data, string expected)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(FileOf(header, data)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void BadLengthPrefixesAndEncodingsAreNamed()
    {
        Assert.Contains("too short", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(new byte[5])).Message);
        var huge = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue);
        Assert.Contains("exceeds the limit", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(huge)).Message);
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 9);
        Assert.Contains("header length 9 exceeds the 8 bytes", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(huge)).Message);
        var notUtf8 = FileOf([(byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []);
        Assert.Contains("UTF-8", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(notUtf8)).Message);
        Assert.Contains("not valid JSON", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(FileOf("", []))).Message);
    }

    [Fact]
    public void EmptyHeaderObjectIsAnEmptyFile()
    {
        Assert.Empty(SafeTensors.Load(FileOf("{}        ")));
        Assert.Empty(SafeTensors.Load(SafeTensors.SaveToBytes(new Dictionary<string, Tensor>())));
    }

    [Fact]
    public void SaveRejectsTheReservedName()
    {
        Assert.Throws<ArgumentException>(() => SafeTensors.SaveToBytes(new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Zeros(1) }));
    }

    /// <summary>A stream that can only be read forward, like a network stream.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
