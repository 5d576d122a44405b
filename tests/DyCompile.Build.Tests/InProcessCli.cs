using DyCompile.Cli;

namespace DyCompile.Build.Tests;

/// <summary>Tests that redirect the process's console run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

/// <summary>The dycompile command run in the test process, with what it prints captured (its
/// tests are in <see cref="ConsoleCollection"/>, since the console is the process's).</summary>
internal static class InProcessCli
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = DycompileCommand.Create().Parse(args).Invoke();
            return (code, output + error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
