using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>Where ONNX Runtime spends a model's time: its profile (a Chrome trace of every node
/// run) summed per operator type, control-flow nodes left out.</summary>
internal static class OrtProfile
{
    public static string Summarize(string file, int calls)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var totals = new Dictionary<string, (double Us, int Count)>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node") continue;
            if (!e.TryGetProperty("name", out var name) || name.GetString()?.EndsWith("_kernel_time", StringComparison.Ordinal) != true) continue;
            var op = e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var o) ? o.GetString() ?? "?" : "?";
            // An If or Loop node's time includes the nodes of its subgraphs, which are listed themselves.
            if (op is "If" or "Loop" or "Scan") continue;
            var dur = e.GetProperty("dur").GetDouble();
            var (us, count) = totals.GetValueOrDefault(op);
            totals[op] = (us + dur, count + 1);
        }
        var all = totals.Values.Sum(t => t.Us);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"ONNX Runtime, per operator type over {calls} profiled calls (kernel time; {all / 1000 / Math.Max(1, calls):F2} ms per call):");
        foreach (var (op, (us, count)) in totals.OrderByDescending(t => t.Value.Us))
            text.AppendLine(CultureInfo.InvariantCulture, $"  {op,-28} {us / 1000 / Math.Max(1, calls),9:F3} ms/call {100 * us / Math.Max(1, all),5:F1}%  ({count} runs)");
        return text.ToString();
    }
}
