using System.CommandLine;
using DyCompile.Cli.Models;

namespace DyCompile.Cli;

/// <summary>The arguments and options the model commands share.</summary>
public sealed class CommandOptions
{
    public Argument<string> Input { get; } = new("input")
    {
        Description = "The model's built assembly (.dll), project (.csproj, built first) or C# file (.cs); for IR commands, a file of IR text (.ir)",
    };

    public Option<string[]> Models { get; } = new("--model", "-m")
    {
        Description = "A model class (full or short name); default: every [DyCompile] class",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Inputs { get; } = new("--inputs")
    {
        Description = "Input types of the forward method, replacing [DyCompile(Inputs = ...)]: e.g. f32[?,784] float",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string?> Method { get; } = new("--method") { Description = "The method to compile (default: the attribute's, Forward)" };

    public Option<bool> Strict { get; } = new("--strict") { Description = "Report every construct outside the compiled subset as an error" };

    public Option<string[]> References { get; } = new("--reference", "-r")
    {
        Description = "An assembly the model's assembly references (repeat; a response file @refs.rsp holds many)",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string?> ReferencesFile { get; } = new("--references-file")
    {
        Description = "A file naming one referenced assembly per line (what the build targets pass)",
    };

    public Option<string> Configuration { get; } = new("--configuration", "-c")
    {
        Description = "The configuration a project input is built in",
        DefaultValueFactory = _ => "Release",
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress lines" };

    public void AddTo(Command command, bool modelOptions = true)
    {
        command.Arguments.Add(Input);
        if (modelOptions)
        {
            command.Options.Add(Models);
            command.Options.Add(Inputs);
            command.Options.Add(Method);
            command.Options.Add(Strict);
            command.Options.Add(References);
            command.Options.Add(ReferencesFile);
            command.Options.Add(Configuration);
        }
        command.Options.Add(Quiet);
    }

    public ModelRequest Request(ParseResult parse) => new()
    {
        Names = parse.GetValue(Models) ?? [],
        Inputs = parse.GetValue(Inputs) is { Length: > 0 } inputs ? inputs : null,
        Method = parse.GetValue(Method),
        Configuration = parse.GetValue(Configuration) ?? "Release",
        Strict = parse.GetValue(Strict),
        References = [.. parse.GetValue(References) ?? [], .. ReadLines(parse.GetValue(ReferencesFile))],
    };

    private static IEnumerable<string> ReadLines(string? path)
    {
        if (path is null) return [];
        if (!File.Exists(path)) throw new CliException(path, $"no such references file '{path}'");
        return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0);
    }

    public Progress Progress(ParseResult parse) => new(parse.GetValue(Quiet));
}
