using System.CommandLine;
using DyCompile.Cli.Models;
using DyCompile.IR;
using DyCompile.Passes.Hashing;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;

namespace DyCompile.Cli.Commands;

/// <summary><c>dycompile hash</c>: the functional hash (what a graph computes on seeded random
/// inputs, quantized) of a one-block program, or of every distinct segment of a model or program,
/// with its structural hash. Equal functional hashes mark candidates the compiler compiles once.</summary>
public static class HashCommand
{
    public static Command Create()
    {
        var options = new CommandOptions();
        var seed = new Option<int>("--seed") { Description = "Seed of the random inputs", DefaultValueFactory = _ => new FunctionalHasher().Seed };
        var command = new Command("hash", "Print the functional hash of a program or of each distinct segment of a model");
        options.AddTo(command);
        command.Options.Add(seed);
        command.SetAction(parse =>
        {
            var progress = options.Progress(parse);
            return CommandRunner.Run(progress, diagnostics =>
            {
                var input = parse.GetValue(options.Input)!;
                var hasher = new FunctionalHasher(parse.GetValue(seed));
                var programs = CommandRunner.IsProgramText(input)
                    ? [(CommandRunner.ReadProgram(input), (IReadOnlyDictionary<string, Tensor>?)null)]
                    : ModelPipeline.Lower(input, options.Request(parse), progress, diagnostics).Select(m => (m.Lowering.Program!, (IReadOnlyDictionary<string, Tensor>?)m.Lowering.Weights)).ToList();
                foreach (var (program, weights) in programs)
                {
                    progress.Report($"hashing @{program.Name}");
                    if (program.Blocks.Length == 1 && program.Entry.Terminator is Return)
                    {
                        progress.Done();
                        Console.Out.WriteLine($"@{program.Name} {hasher.Hash(program.Entry.ToGraph(program.Weights), weights)}");
                        continue;
                    }
                    var partition = Partitioner.Partition(program, new PartitionOptions());
                    progress.Done();
                    foreach (var distinct in partition.Distinct)
                        Console.Out.WriteLine($"@{program.Name} {distinct.Name} functional {hasher.Hash(distinct.Graph)} structural {distinct.Hash}");
                }
            });
        });
        return command;
    }
}
