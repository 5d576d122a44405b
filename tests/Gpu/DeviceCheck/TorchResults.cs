using System.Text.Json;

namespace DyCompile.DeviceCheck;

/// <summary>What torch_zoo.py measured (its JSON output), read leniently: a missing figure is null.</summary>
internal sealed class TorchResults
{
    private readonly JsonElement _root;

    private TorchResults(JsonElement root) => _root = root;

    public static TorchResults? Load(string? path)
    {
        if (path is null || !File.Exists(path)) return null;
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return new TorchResults(document.RootElement.Clone());
    }

    public string? Text(params string[] path) => Find(path) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    public double? Number(params string[] path) => Find(path) is { ValueKind: JsonValueKind.Number } e ? e.GetDouble() : null;

    public bool? Flag(params string[] path) => Find(path) is { ValueKind: JsonValueKind.True or JsonValueKind.False } e ? e.GetBoolean() : null;

    private JsonElement? Find(string[] path)
    {
        var e = _root;
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e)) return null;
        }
        return e;
    }
}
