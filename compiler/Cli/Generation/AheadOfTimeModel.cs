using DyCompile.Passes.Partition;

namespace DyCompile.Cli.Generation;

/// <summary>The generated C# of one model: a file name, its text, and the partition it came from.</summary>
public sealed record AheadOfTimeModel(string FileName, string Source, PartitionedProgram Partition);
