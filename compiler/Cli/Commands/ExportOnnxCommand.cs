using System.CommandLine;
using DyCompile.Backends.Onnx;
using DyCompile.Cli.Models;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Cli.Commands;

/// <summary><c>dycompile export-onnx</c>: a model (with its instance's weights) or an IR program
/// (without weights) → an ONNX file; control flow becomes ONNX If and Loop.</summary>
public static class ExportOnnxCommand
{
    public static Command Create()
    {
        var options = new CommandOptions();
        var output = new Option<string>("--output", "-o") { Description = "The .onnx file to write (with several models: a folder, one file per model)", Required = true };
        var command = new Command("export-onnx", "Export a model or IR program to ONNX");
        options.AddTo(command);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var progress = options.Progress(parse);
            return CommandRunner.Run(progress, diagnostics =>
            {
                var input = parse.GetValue(options.Input)!;
                var target = parse.GetValue(output)!;
                var programs = CommandRunner.IsProgramText(input)
                    ? [(CommandRunner.ReadProgram(input), (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor>(), HostCallbacks.None)]
                    : ModelPipeline.Lower(input, options.Request(parse), progress, diagnostics).Select(m => (m.Lowering.Program!, m.Lowering.Weights, m.Lowering.Callbacks)).ToList();
                if (diagnostics.Any(d => d.IsError)) return;
                foreach (var (program, weights, callbacks) in programs)
                {
                    if (program.Weights.FirstOrDefault(w => !weights.ContainsKey(w.Name)) is { } missing)
                        throw new CliException(input, $"program @{program.Name} reads weight @{missing.Name}, and IR text carries no weight values; export the model itself instead");
                    progress.Report($"exporting @{program.Name}");
                    var path = programs.Count == 1 ? target : Path.Combine(target, program.Name + ".onnx");
                    if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
                    File.WriteAllBytes(path, OnnxExporter.ExportBytes(program, weights, callbacks));
                }
            });
        });
        return command;
    }
}
