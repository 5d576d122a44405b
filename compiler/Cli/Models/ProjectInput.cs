using System.Diagnostics;

namespace DyCompile.Cli.Models;

/// <summary>A project file given as input: built with <c>dotnet build</c> (in its own process, as
/// any build is), and its built assembly used — the same input the build step gets.</summary>
public static class ProjectInput
{
    public static bool IsProject(string path) => Path.GetExtension(path).ToLowerInvariant() is ".csproj";

    /// <summary>Builds the project and returns the path of its assembly.</summary>
    /// <exception cref="CliException">The build failed (its errors are the diagnostics' text).</exception>
    public static string Build(string project, string configuration, Progress progress)
    {
        if (!File.Exists(project)) throw new CliException(project, $"no such project '{project}'");
        progress.Report($"building {Path.GetFileName(project)}");
        var start = new ProcessStartInfo("dotnet", ["build", project, "-c", configuration, "-nologo", "-v:q", "-getProperty:TargetPath"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new CliException(project, "could not start 'dotnet build'");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0 || lines.Length == 0 || !File.Exists(lines[^1]))
            throw new CliException(project, $"'dotnet build {Path.GetFileName(project)}' failed:\n{output}{error.Result}".TrimEnd());
        return lines[^1];
    }
}
