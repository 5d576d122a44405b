using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static DyCompile.Runtime.Tests.SafeTensorsFiles;

namespace DyCompile.Runtime.Tests;

/// <summary>Thousands of mutations of valid files: every one either loads into consistent tensors
/// or fails with <see cref="SafeTensorsFormatException"/>, never another exception.</summary>
public partial class SafeTensorsMutationFuzzTests
{
    private static readonly string[] ExtremeNumbers =
    [
        "0", "-1", "1", "7", "2000000000", "2147483647", "2147483648", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1e400", "1.5", "-0", "00", "1e2",
        "１", "٣", "1٣", "६४", new string('9', 400),
    ];

    private static readonly string[] DTypes = ["F32", "I32", "I64", "BOOL", "F16", "BF16", "F64", "U8", "F8_E4M3", "", "f32", "F32\u0000"];

    private static readonly string[] Fragments = ["{", "}", "[", "]", "\"", ",", ":", "\\", "\\u0000", "\\ud800", "null", "true", "-", "é", "\u0663", "\uFF11", " "];

    private static byte[][] ValidFiles()
    {
        var written = SafeTensors.SaveToBytes(new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.FromArray(new[] { 1.5f, -2f, 3f, 4f, 5f, 6f }, 2, 3),
            ["ids"] = Tensor.FromArray(new[] { int.MinValue, 0, int.MaxValue }, 3),
            ["big"] = Tensor.FromArray(new[] { long.MinValue, 1L << 40 }, 2, 1),
            ["mask"] = Tensor.FromArray(new[] { true, false, true }, 3, 1),
            ["empty"] = Tensor.Zeros(DType.Float32, 0, 4),
            ["scalar"] = Tensor.Scalar(7),
        }, new Dictionary<string, string> { ["format"] = "pt" });
        var converted = Of(
            """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[4,8]},"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},"z":{"dtype":"F16","shape":[0,3],"data_offsets":[16,16]}}""",
            [.. UInt16s(0x3C00, 0x7C01), .. UInt16s(0x3F80, 0x0001), .. Doubles(1e300)]);
        return [written, converted];
    }

    [GeneratedRegex(@"-?\d+")]
    private static partial Regex Number();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex ArrayLiteral();

    [GeneratedRegex("\"dtype\":\"[^\"]*\"")]
    private static partial Regex DTypeField();

    private static string ReplaceRandom(Random rng, Regex pattern, string text, Func<string> replacement)
    {
        var matches = pattern.Matches(text);
        if (matches.Count == 0) return text;
        var m = matches[rng.Next(matches.Count)];
        return string.Concat(text.AsSpan(0, m.Index), replacement(), text.AsSpan(m.Index + m.Length));
    }

    private static string MutateHeader(Random rng, string header) => rng.Next(7) switch
    {
        0 => ReplaceRandom(rng, Number(), header, () => ExtremeNumbers[rng.Next(ExtremeNumbers.Length)]),
        1 => ReplaceRandom(rng, ArrayLiteral(), header, () =>
            "[" + string.Join(",", Enumerable.Range(0, rng.Next(5)).Select(_ => ExtremeNumbers[rng.Next(ExtremeNumbers.Length)])) + "]"),
        2 => ReplaceRandom(rng, DTypeField(), header, () => $"\"dtype\":\"{DTypes[rng.Next(DTypes.Length)]}\""),
        3 => header.Insert(rng.Next(header.Length + 1), Fragments[rng.Next(Fragments.Length)]),
        4 => header.Remove(rng.Next(header.Length), 1),
        5 => ReplaceRandom(rng, Number(), header, () =>
        {
            var digits = rng.Next(1, 12);
            return new string([.. Enumerable.Range(0, digits).Select(_ => (char)('0' + rng.Next(10)))]);
        }),
        _ => header[..rng.Next(header.Length + 1)],
    };

    /// <summary>Gives one tensor another shape of the same byte size, so the file stays valid
    /// unless the sizes are beyond what the runtime can hold: a product-preserving regrouping, or
    /// for a tensor of no elements any sizes around a zero, huge ones included.</summary>
    private static string ReshapeEntry(Random rng, string header)
    {
        var root = JsonNode.Parse(header)!.AsObject();
        var tensors = root.Where(p => p.Key != "__metadata__").ToList();
        var (_, entry) = tensors[rng.Next(tensors.Count)];
        var shape = entry!["shape"]!.AsArray().Select(d => (long)d!).ToList();
        List<long> reshaped;
        if (shape.Contains(0))
        {
            reshaped = [.. Enumerable.Range(0, rng.Next(4)).Select(_ => rng.Next(3) == 0 ? rng.Next(1, 5) : long.Parse(ExtremeNumbers[rng.Next(1, 9)]))];
            reshaped.Insert(rng.Next(reshaped.Count + 1), 0);
        }
        else
        {
            var count = shape.Aggregate(1L, (a, b) => a * b);
            reshaped = [];
            foreach (var f in Enumerable.Range(2, 30).Where(f => count % f == 0).SelectMany(f => Factor(count, f))) reshaped.Add(f);
            if (reshaped.Count == 0 || rng.Next(2) == 0) reshaped = [count];
            for (var k = rng.Next(3); k > 0; k--) reshaped.Insert(rng.Next(reshaped.Count + 1), 1);
        }
        entry["shape"] = new JsonArray([.. reshaped.Select(d => JsonValue.Create(d))]);
        return root.ToJsonString();

        static IEnumerable<long> Factor(long n, long f)
        {
            if (n % f != 0 || n == f) yield break;
            yield return f;
            yield return n / f;
        }
    }

    private static byte[] Mutate(Random rng, byte[] file)
    {
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = Encoding.UTF8.GetString(file, 8, headerLength);
        var data = file[(8 + headerLength)..];
        switch (rng.Next(7))
        {
            case 6: // another valid shape, or sizes beyond the runtime's reach
                return Of(ReshapeEntry(rng, header), data);
            case 0: // raw byte damage anywhere
            {
                var copy = (byte[])file.Clone();
                for (var k = 0; k < 1 + rng.Next(4); k++)
                {
                    var at = rng.Next(copy.Length);
                    copy[at] = rng.Next(2) == 0 ? (byte)(copy[at] ^ (1 << rng.Next(8))) : (byte)rng.Next(256);
                }
                return copy;
            }
            case 1: // truncation
                return file[..rng.Next(file.Length)];
            case 2: // a wrong length prefix
            {
                var copy = (byte[])file.Clone();
                ulong[] lengths = [0, 1, 7, (ulong)headerLength - 1, (ulong)headerLength + 1, (ulong)file.Length, 100_000_001, ulong.MaxValue, 1UL << 63];
                BinaryPrimitives.WriteUInt64LittleEndian(copy, lengths[rng.Next(lengths.Length)]);
                return copy;
            }
            case 3: // inserted or removed data bytes
                return rng.Next(2) == 0 || data.Length == 0
                    ? Of(header, [.. data, .. new byte[1 + rng.Next(9)]])
                    : Of(header, data[..rng.Next(data.Length)]);
            default: // header text edits with a consistent length prefix, so the JSON checks are reached
            {
                var mutated = header;
                for (var k = 0; k < 1 + rng.Next(3); k++) mutated = MutateHeader(rng, mutated);
                return Of(mutated, data);
            }
        }
    }

    [Fact]
    public void MutatedFilesLoadOrFailWithTheFormatException()
    {
        var rng = new Random(14_05);
        var bases = ValidFiles();
        int loaded = 0, rejected = 0;
        var undocumented = new List<string>();
        for (var trial = 0; trial < 6000; trial++)
        {
            var file = Mutate(rng, bases[trial % bases.Length]);
            try
            {
                foreach (var (name, t) in SafeTensors.Load(file))
                    Assert.True(Shapes.ElementCount(t.Shape) == t.Length, $"tensor '{name}' has {t.Length} elements for shape {Shapes.Format(t.Shape)}");
                loaded++;
            }
            catch (SafeTensorsFormatException e)
            {
                Assert.StartsWith("safetensors: ", e.Message);
                rejected++;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                if (undocumented.Count < 5)
                    undocumented.Add($"{e.GetType().Name}: {e.Message}\n  header: {HeaderOf(file)}");
                else undocumented.Add(e.GetType().Name);
            }
        }
        Assert.True(undocumented.Count == 0, $"{undocumented.Count} undocumented exception(s):\n{string.Join("\n", undocumented.Take(5))}");
        Assert.True(loaded > 100 && rejected > 1000, $"loaded {loaded}, rejected {rejected}: the mutations should reach both outcomes");
    }

    private static string HeaderOf(byte[] file)
    {
        if (file.Length < 8) return "(no length prefix)";
        var n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        return n <= (ulong)file.Length - 8 ? Encoding.UTF8.GetString(file, 8, (int)n) : $"(length prefix {n})";
    }

    [Fact]
    public void AnEmptyShapeWhoseOtherSizesOverflowIsAFormatError()
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() =>
            SafeTensors.Load(Of("""{"x":{"dtype":"F32","shape":[2000000000,2000000000,0],"data_offsets":[0,0]}}""")));
        Assert.Contains("tensor 'x': shape [2000000000, 2000000000, 0] is too large", e.Message);
        // A zero size with small neighbours is an ordinary empty tensor.
        Assert.Equal([2000000000, 0, 1], SafeTensors.Load(Of("""{"x":{"dtype":"F32","shape":[2000000000,0,1],"data_offsets":[0,0]}}"""))["x"].ShapeArray());
    }
}
