using System.CommandLine;
using DyCompile.Cli.Generation;
using DyCompile.Cli.Models;
using DyCompile.Compiler;
using DyCompile.Compiler.Jit;
using DyCompile.Passes.Partition;

namespace DyCompile.Cli.Commands;

/// <summary><c>dycompile compile</c>: every <c>[DyCompile]</c> model of an assembly or C# file →
/// one generated C# file per model in the output folder (what the build step compiles in). Files
/// whose text did not change are left untouched, and generated files of models that are gone
/// are deleted, so the folder is exactly the current models.</summary>
public static class CompileCommand
{
    public static Command Create()
    {
        var options = new CommandOptions();
        var output = new Option<string>("--output", "-o") { Description = "The folder the generated C# is written to", Required = true };
        var target = new Option<string?>("--target", "-t") { Description = $"Code generation target, replacing the attribute's (supported ahead of time: {string.Join(", ", JitCompiler.AheadOfTimeTargets)})" };
        var command = new Command("compile", "Compile the [DyCompile] models of a built assembly or a C# file into C# source");
        options.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(target);
        command.SetAction(parse =>
        {
            var progress = options.Progress(parse);
            return CommandRunner.Run(progress, diagnostics =>
            {
                var input = parse.GetValue(options.Input)!;
                var models = ModelPipeline.Lower(input, options.Request(parse), progress, diagnostics);
                var files = new List<AheadOfTimeModel>();
                foreach (var model in models)
                {
                    var targets = parse.GetValue(target) is { } t ? [t] : model.Spec.Attribute.Targets;
                    var unsupported = targets.Where(x => !JitCompiler.AheadOfTimeTargets.Contains(x)).ToList();
                    if (unsupported.Count > 0)
                    {
                        diagnostics.Add(model.Spec.Error(ToolDiagnosticIds.UnsupportedTarget,
                            $"target(s) {string.Join(", ", unsupported.Select(x => $"\"{x}\""))} cannot be generated ahead of time; supported: {string.Join(", ", JitCompiler.AheadOfTimeTargets.Select(x => $"\"{x}\""))}"));
                        continue;
                    }
                    progress.Report($"generating {model.Spec.FullName}");
                    if (AheadOfTimeEmitter.Emit(model.Spec, model.Instance, model.Lowering, new PartitionOptions(), diagnostics) is { } file)
                        files.Add(file);
                }
                if (diagnostics.Any(d => d.IsError)) return;
                Write(parse.GetValue(output)!, files);
            });
        });
        return command;
    }

    private static void Write(string folder, IReadOnlyList<AheadOfTimeModel> files)
    {
        Directory.CreateDirectory(folder);
        var current = files.Select(f => f.FileName).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.EnumerateFiles(folder, "*.g.cs"))
            if (!current.Contains(Path.GetFileName(stale))) File.Delete(stale);
        foreach (var file in files)
        {
            var path = Path.Combine(folder, file.FileName);
            if (File.Exists(path) && File.ReadAllText(path) == file.Source) continue;
            File.WriteAllText(path, file.Source);
        }
    }
}
