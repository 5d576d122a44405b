using System.Globalization;
using System.Text;

namespace DyCompile.DeviceCheck;

/// <summary>The markdown of docs/performance.md's "GPU" section: the zoo (equivalence and
/// latency against PyTorch eager and torch.compile), elementwise throughput as a share of copy
/// bandwidth, and SGEMM against cuBLAS called directly.</summary>
internal static class Report
{
    public static string Markdown(Devices devices, IReadOnlyList<ZooResult> zoo, (double Copy, double Chain)? bandwidth,
        (int N, double Tiled, double? CuBlas)? sgemm, TorchResults? torch)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Device: {devices.Accelerator.Name} (target `{devices.Target}`); PyTorch: {torch?.Text("torch") ?? "not run"} on {torch?.Text("device") ?? "-"}.");
        if (!devices.IsCuda)
            s.AppendLine("No CUDA device was found: the zoo ran on ILGPU's CPU accelerator at reduced sizes (correctness only; the times are emulation, not measurements).");
        s.AppendLine();
        s.AppendLine("| model | compiled ≡ eager | PyTorch rebuild ≡ eager | batch 1: DyCompile | PyTorch eager | torch.compile | batch 16: DyCompile | PyTorch eager | torch.compile |");
        s.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in zoo)
        {
            var key = r.Case.Key;
            var same = r.Failure is not null ? "no: " + Short(r.Failure) : $"{(r.Equivalent ? "yes" : "no")} ({r.Matching}/{r.Inputs})";
            var rebuild = torch?.Flag("models", key, "rebuild_matches") switch { true => "yes", false => "no", null => "-" };
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Case.Name} | {same} | {rebuild} | {Ms(r.CompiledBatch1)} | {Ms(torch?.Number("models", key, "b1", "eager_ms"))} | {Ms(torch?.Number("models", key, "b1", "compile_ms"))} " +
                $"| {Ms(r.CompiledBatch16)} | {Ms(torch?.Number("models", key, "b16", "eager_ms"))} | {Ms(torch?.Number("models", key, "b16", "compile_ms"))} |");
        }
        s.AppendLine();
        s.AppendLine("Latency: median milliseconds of one call, input from and output to host memory for DyCompile; PyTorch with the input already on the device, synchronised after the call.");
        if (bandwidth is { } bw)
        {
            s.AppendLine();
            s.AppendLine("| elementwise | GB/s | share of copy bandwidth |");
            s.AppendLine("|---|---:|---:|");
            s.AppendLine(CultureInfo.InvariantCulture, $"| device-to-device copy | {bw.Copy:F0} | 100 % |");
            s.AppendLine(CultureInfo.InvariantCulture, $"| fused chain x·σ(x) + 0.5·x | {bw.Chain:F0} | {100 * bw.Chain / bw.Copy:F0} % |");
        }
        if (sgemm is { } g)
        {
            var direct = torch?.Number("sgemm_4096", "gflops");
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"| SGEMM {g.N}³ | GFLOP/s | share of cuBLAS called directly |");
            s.AppendLine("|---|---:|---:|");
            s.AppendLine(CultureInfo.InvariantCulture, $"| tiled ILGPU GEMM | {g.Tiled:F0} | {Share(g.Tiled, direct)} |");
            s.AppendLine(CultureInfo.InvariantCulture, $"| DyCompile's cuBLAS path | {(g.CuBlas is { } c ? c.ToString("F0", CultureInfo.InvariantCulture) : "-")} | {(g.CuBlas is { } c2 ? Share(c2, direct) : "-")} |");
            s.AppendLine(CultureInfo.InvariantCulture, $"| cuBLAS directly (torch.matmul) | {(direct is { } d ? d.ToString("F0", CultureInfo.InvariantCulture) : "-")} | 100 % |");
        }
        var notes = zoo.SelectMany(r => r.Notes.Select(n => $"- {r.Case.Name}: {n}")).ToList();
        if (notes.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("Notes:");
            foreach (var n in notes) s.AppendLine(n);
        }
        return s.ToString();
    }

    private static string Ms(double? value) => value is { } v ? v.ToString(v < 10 ? "F2" : "F1", CultureInfo.InvariantCulture) : "-";

    private static string Share(double ours, double? reference) =>
        reference is { } r && r > 0 ? (100 * ours / r).ToString("F0", CultureInfo.InvariantCulture) + " %" : "-";

    private static string Short(string text) => text.Length <= 90 ? text : text[..87] + "...";
}
