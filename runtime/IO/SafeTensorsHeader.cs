using System.Text.Json;
using System.Text.Unicode;

namespace DyCompile.Runtime;

/// <summary>One tensor's header entry after validation; offsets are relative to the data start.</summary>
internal sealed record SafeTensorsEntry(string Name, StoredDType Stored, int[] Shape, long Begin, long End);

/// <summary>Parses and validates the JSON header of a safetensors file.</summary>
/// <remarks>The data region must be tiled exactly by the tensors, as the reference
/// implementation requires: sorted by offset, each tensor starts where the previous one ends,
/// the first at 0 and the last at the end of the file. That rules out overlaps, holes and
/// trailing bytes with one rule.</remarks>
internal static class SafeTensorsHeader
{
    /// <summary>Largest header accepted, the reference implementation's limit: a length field
    /// beyond it is corruption, not a real header.</summary>
    public const long MaxHeaderLength = 100_000_000;

    public const string MetadataKey = "__metadata__";

    /// <summary>Most elements one tensor may hold: the largest array .NET allocates.</summary>
    public static readonly long MaxElements = Array.MaxLength;

    public static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(ReadOnlyMemory<byte> header, long dataLength)
    {
        if (!Utf8.IsValid(header.Span))
            throw new SafeTensorsFormatException("header is not valid UTF-8");
        try
        {
            using var document = JsonDocument.Parse(header, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            return Parse(document.RootElement, dataLength);
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException($"header is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement reports text it cannot decode (e.g. a lone surrogate escape) this way.
            throw new SafeTensorsFormatException($"header holds an undecodable string: {e.Message}", e);
        }
    }

    private static (List<SafeTensorsEntry>, Dictionary<string, string>) Parse(JsonElement root, long dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException($"header must be a JSON object, found {root.ValueKind}");
        var entries = new List<SafeTensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw new SafeTensorsFormatException($"header names '{property.Name}' twice");
            if (property.Name == MetadataKey)
                ParseMetadata(property.Value, metadata);
            else
                entries.Add(ParseEntry(property.Name, property.Value, dataLength));
        }
        CheckTiling(entries, dataLength);
        return (entries, metadata);
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException($"{MetadataKey} must be an object of strings, found {value.ValueKind}");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsFormatException($"{MetadataKey} entry '{item.Name}' must be a string, found {item.Value.ValueKind}");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new SafeTensorsFormatException($"{MetadataKey} names '{item.Name}' twice");
        }
    }

    private static SafeTensorsEntry ParseEntry(string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException($"tensor '{name}': entry must be an object, found {value.ValueKind}");

        var dtypeText = Field(name, value, "dtype", JsonValueKind.String).GetString()!;
        var stored = StoredDTypes.Parse(dtypeText)
            ?? throw new SafeTensorsFormatException($"tensor '{name}': unsupported dtype '{dtypeText}' (supported: {StoredDTypes.SupportedList})");

        var shapeElement = Field(name, value, "shape", JsonValueKind.Array);
        var shape = new int[shapeElement.GetArrayLength()];
        // The runtime computes element counts and strides in 32-bit integers, so the product of
        // the non-zero sizes must fit one: [2000000000, 2000000000, 0] holds no element, yet its
        // strides do not fit. Both factors stay at most 2^31, so the saturated product cannot overflow.
        long nonZeroProduct = 1;
        var hasZero = false;
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var d))
                throw new SafeTensorsFormatException($"tensor '{name}': shape[{i}] must be an integer, found {dim.GetRawText()}");
            if (d < 0)
                throw new SafeTensorsFormatException($"tensor '{name}': shape[{i}] = {d} is negative");
            if (d > int.MaxValue)
                throw new SafeTensorsFormatException($"tensor '{name}': shape[{i}] = {d} is too large (at most {int.MaxValue})");
            shape[i++] = (int)d;
            if (d == 0) hasZero = true;
            else nonZeroProduct = Math.Min(nonZeroProduct * d, (long)int.MaxValue + 1);
        }
        if (nonZeroProduct > MaxElements)
            throw new SafeTensorsFormatException(hasZero
                ? $"tensor '{name}': shape {Shapes.Format(shape)} is too large: its non-zero sizes multiply to more than {MaxElements}, beyond the runtime's 32-bit strides"
                : $"tensor '{name}': shape {Shapes.Format(shape)} has more than {MaxElements} elements");
        long count = hasZero ? 0 : nonZeroProduct;

        var offsets = Field(name, value, "data_offsets", JsonValueKind.Array);
        if (offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || !offsets[0].TryGetInt64(out var begin) || begin < 0
            || offsets[1].ValueKind != JsonValueKind.Number || !offsets[1].TryGetInt64(out var end) || end < 0)
            throw new SafeTensorsFormatException($"tensor '{name}': data_offsets must be [begin, end] of non-negative integers, found {offsets.GetRawText()}");
        if (end < begin)
            throw new SafeTensorsFormatException($"tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw new SafeTensorsFormatException($"tensor '{name}': data_offsets [{begin}, {end}] reach past the {dataLength} data bytes");
        var bytes = count * stored.ElementSize();
        if (end - begin != bytes)
            throw new SafeTensorsFormatException($"tensor '{name}': shape {Shapes.Format(shape)} of {dtypeText} needs {bytes} bytes, but data_offsets [{begin}, {end}] hold {end - begin}");
        return new SafeTensorsEntry(name, stored, shape, begin, end);
    }

    private static JsonElement Field(string name, JsonElement entry, string field, JsonValueKind kind)
    {
        if (!entry.TryGetProperty(field, out var value))
            throw new SafeTensorsFormatException($"tensor '{name}': missing field '{field}'");
        if (value.ValueKind != kind)
            throw new SafeTensorsFormatException($"tensor '{name}': field '{field}' must be {(kind == JsonValueKind.Array ? "an array" : "a string")}, found {value.ValueKind}");
        return value;
    }

    private static void CheckTiling(List<SafeTensorsEntry> entries, long dataLength)
    {
        var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();
        long position = 0;
        SafeTensorsEntry? previous = null;
        foreach (var e in ordered)
        {
            if (e.Begin < position)
                throw new SafeTensorsFormatException($"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            if (e.Begin > position)
                throw new SafeTensorsFormatException($"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] leave data bytes [{position}, {e.Begin}) unused");
            position = e.End;
            previous = e;
        }
        if (position != dataLength)
            throw new SafeTensorsFormatException($"tensors end at data byte {position}, but the file holds {dataLength} data bytes (trailing bytes)");
    }
}
