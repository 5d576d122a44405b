using System.CommandLine;
using System.Diagnostics;
using System.Text;
using DyCompile.Backends.Cpu;
using DyCompile.Backends.Host;
using DyCompile.Cli.Models;
using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Partition;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Cli.Commands;

/// <summary><c>dycompile explain</c>: how a model (or an IR program) was partitioned — segments,
/// distinct segments, branches if-converted, what fused — and the partition as DOT (and SVG when
/// Graphviz's <c>dot</c> is installed).</summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var options = new CommandOptions();
        var dot = new Option<string?>("--dot") { Description = "Write the partition's host control flow as Graphviz DOT to this file" };
        var svg = new Option<string?>("--svg") { Description = "Render the partition to SVG with Graphviz (needs 'dot' on the PATH)" };
        var command = new Command("explain", "Show how a model or IR program is partitioned into compiled segments and a host program");
        options.AddTo(command);
        command.Options.Add(dot);
        command.Options.Add(svg);
        command.SetAction(parse =>
        {
            var progress = options.Progress(parse);
            return CommandRunner.Run(progress, diagnostics =>
            {
                var input = parse.GetValue(options.Input)!;
                var programs = CommandRunner.IsProgramText(input)
                    ? [CommandRunner.ReadProgram(input)]
                    : ModelPipeline.Lower(input, options.Request(parse), progress, diagnostics).Select(m => m.Lowering.Program!).ToList();
                foreach (var program in programs)
                {
                    progress.Report($"partitioning @{program.Name}");
                    var partition = Partitioner.Partition(program, new PartitionOptions());
                    progress.Done();
                    Console.Out.Write(Summary(partition));
                    if (parse.GetValue(dot) is { } dotPath) File.WriteAllText(Suffixed(dotPath, program, programs.Count), partition.ToDot());
                    if (parse.GetValue(svg) is { } svgPath) RenderSvg(partition.ToDot(), Suffixed(svgPath, program, programs.Count), diagnostics);
                }
            });
        });
        return command;
    }

    public static string Summary(PartitionedProgram partition)
    {
        var sb = new StringBuilder();
        var original = partition.Original;
        static int Branches(IRProgram p) => p.Blocks.Count(b => b.Terminator is Branch);
        sb.Append($"program @{original.Name}: {original.Blocks.Length} block(s), {Branches(original)} branch(es) as lowered\n");
        sb.Append($"  host: {partition.Host.Count} block(s), {partition.Host.Count(b => b.Terminator is Branch)} branch(es) left to the host; {Branches(original) - partition.Host.Count(b => b.Terminator is Branch)} if-converted to 'where' or folded away\n");
        sb.Append($"  segments: {partition.Segments.Count} call site(s), {partition.Distinct.Count} distinct");
        if (partition.FunctionallyShared > 0) sb.Append($" ({partition.FunctionallyShared} shared by functional hash)");
        sb.Append('\n');
        foreach (var segment in partition.Segments.Where(s => s.Optimization is { } r && r.CostAfter < r.CostBefore))
            sb.Append($"  optimized {segment.Name}: {segment.Optimization}\n");
        var planned = PassPipeline.Plan(partition, new CSharpCodeGenerator("_").WritesIntoDestination);
        foreach (var distinct in partition.Distinct)
        {
            var (steps, memory) = (planned[distinct].Steps!, planned[distinct].Memory!);
            var fused = steps.OfType<ElementwiseLoop>().Where(l => l.Nodes.Count > 1 || l.EpilogueOf is not null).ToList();
            sb.Append($"  {distinct.Name} (hash {distinct.Hash[..8]}): {distinct.Graph.Nodes.Length} op(s) in {steps.Count} step(s), {memory.Buffers.Count} scratch buffer(s) ({memory.TotalBytes} bytes)\n");
            foreach (var loop in fused)
                sb.Append($"    fused: {string.Join(" + ", loop.Nodes.Select(n => n.Op))}{(loop.EpilogueOf is { } producer ? $" as the epilogue of {producer.Op}" : "")}\n");
        }
        sb.Append(partition.ToText(withBodies: false));
        return sb.ToString();
    }

    private static string Suffixed(string path, IRProgram program, int count) =>
        count == 1 ? path : Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}.{program.Name}{Path.GetExtension(path)}");

    private static void RenderSvg(string dot, string path, List<Compiler.Diagnostic> diagnostics)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dot", ["-Tsvg", "-o", path])
            {
                RedirectStandardInput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            process.StandardInput.Write(dot);
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                diagnostics.Add(new Compiler.Diagnostic(ToolDiagnosticIds.BadInput, Compiler.DiagnosticSeverity.Warning, path, 1, 1, $"Graphviz failed: {error.Trim()}"));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            diagnostics.Add(new Compiler.Diagnostic(ToolDiagnosticIds.BadInput, Compiler.DiagnosticSeverity.Warning, path, 1, 1,
                "Graphviz 'dot' is not on the PATH, so no SVG was written; use --dot and render it elsewhere"));
        }
    }
}
