using System.Globalization;
using System.Text;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>The zoo table in markdown, and its place in docs/performance.md: between two marker
/// comments, so a rerun with `--write` replaces the previous table and nothing else.</summary>
internal static class ZooReport
{
    public const string BeginMarker = "<!-- zoo-benchmark:begin (written by `--zoo --write`) -->";
    public const string EndMarker = "<!-- zoo-benchmark:end -->";
    private const string SectionTitle = "## Zoo: eager vs DyCompile vs ONNX Runtime";

    /// <summary>The table's header: per batch size, the three engines' medians and the two ratios.</summary>
    public static string TableHeader(IReadOnlyList<int> batches)
    {
        var head = new StringBuilder($"| model | input (batch 1) | paths of the inputs (batch {batches[0]}) |");
        var rule = new StringBuilder("|---|---|---|");
        foreach (var b in batches)
        {
            head.Append(CultureInfo.InvariantCulture, $" eager b{b} (ms) | DyCompile b{b} (ms) | ORT b{b} (ms) | eager / DyCompile b{b} | ORT / DyCompile b{b} |");
            rule.Append("---:|---:|---:|---:|---:|");
        }
        head.Append(" compile (s): lower + JIT | ORT session (s) | agreement |");
        rule.Append("---:|---:|---|");
        return head + "\n" + rule;
    }

    /// <summary>One model's row: its measurements at each batch size in <paramref name="batches"/>.</summary>
    public static string TableRow(IReadOnlyList<ZooRow> model, IReadOnlyList<int> batches)
    {
        var first = model[0];
        var text = new StringBuilder($"| {first.Case.Name} | {first.Case.Size} | {PathSummary(first.Paths)} |");
        foreach (var b in batches)
        {
            var row = model.FirstOrDefault(r => r.Batch == b);
            if (row is null)
            {
                text.Append(" — | — | — | — | — |");
                continue;
            }
            var eager = Median(row, "eager");
            var compiled = Median(row, "DyCompile");
            var ort = Median(row, "ONNX Runtime");
            var compiledCell = compiled is { } cm ? Ms(cm) : row.CompileFailure ?? Failure(row, "DyCompile") ?? "—";
            var ortCell = ort is { } om ? Ms(om) : row.CompileFailure is not null && row.OrtFailure is null ? "—" : row.OrtFailure ?? Failure(row, "ONNX Runtime") ?? "—";
            text.Append(CultureInfo.InvariantCulture, $" {(eager is { } e ? Ms(e) : Failure(row, "eager") ?? "—")} | {compiledCell} | {ortCell} | {Ratio(eager, compiled)} | {Ratio(ort, compiled)} |");
        }
        var compile = first.JitSeconds is { } jit
            ? $"{S(first.LowerSeconds + jit)} ({S(first.LowerSeconds)} + {S(jit)})"
            : $"— (lower {S(first.LowerSeconds)})";
        var agreement = string.Join("; ", model.Select(r => batches.Count == 1 ? Agreement(r) : $"b{r.Batch}: {Agreement(r)}"));
        text.Append(CultureInfo.InvariantCulture, $" {compile} | {(first.SessionSeconds is { } s ? S(s) : "—")} | {agreement} |");
        return text.ToString();
    }

    /// <summary>The geometric means of the ratio columns, over the models that have both engines.</summary>
    public static string GeometricMeanRow(IReadOnlyList<IReadOnlyList<ZooRow>> models, IReadOnlyList<int> batches)
    {
        var text = new StringBuilder("| **geometric mean** | | |");
        foreach (var b in batches)
        {
            var rows = models.Select(m => m.FirstOrDefault(r => r.Batch == b)).OfType<ZooRow>().ToList();
            text.Append(CultureInfo.InvariantCulture, $" | | | **{GeoMean(rows, "eager")}** | **{GeoMean(rows, "ONNX Runtime")}** |");
        }
        text.Append(" | | |");
        return text.ToString();
    }

    /// <summary>The line printed after each (model, batch) measurement.</summary>
    public static string ProgressLine(ZooRow row)
    {
        var eager = Median(row, "eager");
        var compiled = Median(row, "DyCompile");
        var ort = Median(row, "ONNX Runtime");
        string Cell(double? ms) => ms is { } m ? Ms(m) : "—";
        return $"   batch {row.Batch}: eager {Cell(eager)} ms, DyCompile {Cell(compiled)} ms, ORT {Cell(ort)} ms; eager / DyCompile {Ratio(eager, compiled)}, " +
            $"ORT / DyCompile {Ratio(ort, compiled)}; {Agreement(row)}{(row.CompileFailure is { } f ? "; " + f : "")}";
    }

    public static string Markdown(IReadOnlyList<ZooRow> rows, IReadOnlyList<int> batches, MachineState machine, string command)
    {
        var models = rows.GroupBy(r => r.Case.Key).Select(g => (IReadOnlyList<ZooRow>)g.ToList()).ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run of {machine.Started:yyyy-MM-dd HH:mm} UTC ({machine.Minutes} min): {machine.Cpu}, {Environment.ProcessorCount} cores, shared with other work;");
        text.AppendLine(CultureInfo.InvariantCulture, $"load average (1 / 5 / 15 min, /proc/loadavg) {machine.LoadAtStart} at the start and {machine.LoadAtEnd} at the end.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Instruction sets: {machine.Isa}.");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine(command);
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine(TableHeader(batches));
        foreach (var model in models) text.AppendLine(TableRow(model, batches));
        text.AppendLine(GeometricMeanRow(models, batches));
        text.AppendLine();
        text.AppendLine("Per model: the paths of the inputs, and what the compiler or ONNX Runtime reported.");
        text.AppendLine();
        foreach (var row in rows)
        {
            var calls = string.Join(", ", row.Engines.Values.Select(e => $"{e.Name} {e.Times.Count}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{row.Case.Name}**, batch {row.Batch} (`--model {row.Case.Key} --batch {row.Batch}`): timed calls {(calls.Length == 0 ? "none" : calls)}; paths: {string.Join("; ", row.Paths.Select(p => $"`{(p.Length <= 48 ? p : p[..45] + "...")}`"))}.");
            if (ByPath(row) is { } byPath) text.AppendLine(CultureInfo.InvariantCulture, $"  - median by path, ms ({string.Join(" / ", row.Engines.Keys)}): {byPath}");
            foreach (var note in row.Notes.Distinct().Take(6)) text.AppendLine(CultureInfo.InvariantCulture, $"  - {ZooBenchmark.Shorten(note)}");
            if (row.Notes.Distinct().Count() > 6) text.AppendLine(CultureInfo.InvariantCulture, $"  - … and {row.Notes.Distinct().Count() - 6} more");
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>Why <paramref name="path"/> cannot be written (its folder missing, the path a folder), or null.</summary>
    public static string? CannotWrite(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return "is a folder, not a file";
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder)) return $"the folder {folder} does not exist";
        return null;
    }

    /// <summary>Replaces the text between the markers in <paramref name="path"/> (adding the section at the end when it has none).</summary>
    public static void WriteInto(string path, string report)
    {
        // A file that does not exist yet is written with the section alone.
        var doc = File.Exists(path) ? File.ReadAllText(path) : "";
        var begin = doc.IndexOf(BeginMarker, StringComparison.Ordinal);
        var end = doc.IndexOf(EndMarker, StringComparison.Ordinal);
        var block = $"{BeginMarker}\n{report}\n{EndMarker}";
        doc = begin >= 0 && end > begin
            ? doc[..begin] + block + doc[(end + EndMarker.Length)..]
            : (doc.Length == 0 ? "" : doc.TrimEnd() + "\n\n") + $"{SectionTitle}\n\n{block}\n";
        File.WriteAllText(path, doc);
    }

    private static string PathSummary(IReadOnlyList<string> paths)
    {
        var distinct = paths.Distinct().Count();
        if (paths.All(p => p.Length <= 16))
            return string.Join(", ", paths.GroupBy(p => p).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}"));
        return $"{distinct} distinct of {paths.Count}";
    }

    /// <summary>Per path, each engine's median over the calls on inputs that took it; null when the paths are too long to group by.</summary>
    private static string? ByPath(ZooRow row)
    {
        if (row.Engines.Count == 0 || row.Paths.Count == 0 || row.Paths.Any(p => p.Length > 16)) return null;
        return string.Join("; ", row.Paths.Distinct().OrderBy(p => p, StringComparer.Ordinal).Select(path =>
        {
            var medians = row.Engines.Values.Select(e => e.MedianMsOf(i => row.Paths[i] == path) is { } m ? Ms(m) : "—");
            return $"`{path}` {string.Join(" / ", medians)}";
        }));
    }

    private static string Agreement(ZooRow row)
    {
        var checkedEngines = row.Engines.Values.Where(e => e.Name != "eager").ToList();
        if (checkedEngines.Count == 0) return row.Engines.Count == 0 ? "—" : "eager only";
        var parts = new List<string>();
        foreach (var e in checkedEngines)
        {
            var name = e.Name == "ONNX Runtime" ? "ORT" : e.Name;
            if (e.Failure is not null) parts.Add($"{name}: failed");
            else if (e.PathDisagreements + e.ValueDisagreements == 0) parts.Add($"{name} ok ({e.MaxError:0.0E0})");
            else parts.Add($"**{name} DIFFERS**: path on {e.PathDisagreements}, values on {e.ValueDisagreements} of {e.Calls} calls ({e.FirstProblem})");
        }
        var eager = row.Engines.GetValueOrDefault("eager");
        if (eager is { PathDisagreements: > 0 } or { ValueDisagreements: > 0 }) parts.Add("**eager not deterministic**");
        return string.Join("; ", parts);
    }

    private static double? Median(ZooRow row, string engine) => row.Engines.TryGetValue(engine, out var e) && e.Failure is null ? e.MedianMs : null;

    private static string? Failure(ZooRow row, string engine) => row.Engines.TryGetValue(engine, out var e) && e.Failure is not null ? $"failed: {e.Failure}" : null;

    private static string Ratio(double? numerator, double? denominator) =>
        numerator is { } n && denominator is { } d && d > 0 ? (n / d).ToString("F2", CultureInfo.InvariantCulture) + "×" : "—";

    private static string GeoMean(IReadOnlyList<ZooRow> rows, string numerator)
    {
        var logs = rows.Select(r => (N: Median(r, numerator), D: Median(r, "DyCompile")))
            .Where(x => x.N is > 0 && x.D is > 0).Select(x => Math.Log(x.N!.Value / x.D!.Value)).ToList();
        return logs.Count == 0 ? "—" : Math.Exp(logs.Average()).ToString("F2", CultureInfo.InvariantCulture) + $"× ({logs.Count})";
    }

    private static string Ms(double ms) => ms.ToString(ms >= 100 ? "F0" : ms >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    private static string S(double s) => s.ToString(s >= 10 ? "F0" : "F1", CultureInfo.InvariantCulture);
}
