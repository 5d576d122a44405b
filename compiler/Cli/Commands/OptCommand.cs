using System.CommandLine;
using System.Text;
using DyCompile.IR;
using DyCompile.Passes.Optimization;
using DyCompile.Passes.Partition;

namespace DyCompile.Cli.Commands;

/// <summary><c>dycompile opt</c>: IR text in, optimized IR and the e-graph optimizer's report out.
/// A one-block program is optimized whole and printed as a program that parses back; a program
/// with control flow is partitioned and each segment optimized as the compiler does, and the
/// partition is printed with the optimized segment bodies. Report lines are IR comments.</summary>
public static class OptCommand
{
    public static Command Create()
    {
        var options = new CommandOptions();
        var output = new Option<string?>("--output", "-o") { Description = "Write the optimized IR to this file instead of standard output" };
        var fastMath = new Option<bool>("--fast-math") { Description = "Also apply rewrites that change results beyond rounding (x*0 -> 0, reassociation)" };
        var timeLimit = new Option<int>("--time-limit-ms") { Description = "Time limit of the e-graph run per graph", DefaultValueFactory = _ => 2000 };
        var command = new Command("opt", "Optimize IR text with the e-graph optimizer and print the optimized IR and its report");
        options.AddTo(command, modelOptions: false);
        command.Options.Add(output);
        command.Options.Add(fastMath);
        command.Options.Add(timeLimit);
        command.SetAction(parse =>
        {
            var progress = options.Progress(parse);
            return CommandRunner.Run(progress, diagnostics =>
            {
                var program = CommandRunner.ReadProgram(parse.GetValue(options.Input)!);
                var errors = Verifier.Errors(program);
                if (errors.Count > 0)
                    throw new CliException(parse.GetValue(options.Input)!, $"program @{program.Name} fails verification: {string.Join("; ", errors.Select(e => e.ToString()))}");
                var optimizer = new OptimizerOptions { FastMath = parse.GetValue(fastMath), TimeLimit = TimeSpan.FromMilliseconds(parse.GetValue(timeLimit)) };
                progress.Report($"optimizing @{program.Name}");
                var text = Optimize(program, optimizer);
                progress.Done();
                if (parse.GetValue(output) is { } path) File.WriteAllText(path, text);
                else Console.Out.Write(text);
            });
        });
        return command;
    }

    public static string Optimize(IRProgram program, OptimizerOptions options)
    {
        var sb = new StringBuilder();
        if (program.Blocks.Length == 1 && program.Entry.Terminator is Return)
        {
            var result = GraphOptimizer.Optimize(program.Entry.ToGraph(program.Weights), options);
            sb.Append($"// @{program.Name}: {result.Report}\n");
            var optimized = result.Graph.ToProgram();
            return sb.Append(IRPrinter.Print(new IRProgram(program.Name, optimized.Inputs, optimized.ResultTypes, optimized.Weights, optimized.Blocks))).ToString();
        }
        var partition = Partitioner.Partition(program, new PartitionOptions { Optimizer = options });
        foreach (var segment in partition.Segments)
            sb.Append($"// {segment.Name} in ^{segment.Block}: {(segment.Optimization is { } report ? report.ToString() : "not optimized (it calls the host, or nothing to do)")}\n");
        return sb.Append(partition.ToText(withBodies: true)).ToString();
    }
}
