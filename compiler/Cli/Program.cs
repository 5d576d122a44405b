using System.CommandLine;
using DyCompile.Cli.Commands;

namespace DyCompile.Cli;

/// <summary>The dycompile command: the same binary the DyCompile.Build targets run after a project compiles.</summary>
public static class DycompileCommand
{
    public static RootCommand Create() => new("dycompile: compiles dynamic C# neural networks ([DyCompile] models) ahead of time, and inspects how they compile")
    {
        CompileCommand.Create(),
        ExplainCommand.Create(),
        OptCommand.Create(),
        ExportOnnxCommand.Create(),
        HashCommand.Create(),
        BenchCommand.Create(),
        CheckRulesCommand.Create(),
    };

    public static int Main(string[] args) => Create().Parse(args).Invoke();
}
