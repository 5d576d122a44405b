namespace DyCompile.Build.Tests;

/// <summary>The packages of this repository, packed once into a folder that serves as a NuGet
/// feed for every end-to-end case, and a scratch folder the cases create projects in.</summary>
public sealed class LocalFeed : IDisposable
{
    public static readonly string[] PackedProjects =
    [
        "runtime/DyCompile.Runtime.csproj",
        "ir/DyCompile.IR.csproj",
        "passes/DyCompile.Passes.csproj",
        "backends/DyCompile.Backends.csproj",
        "compiler/DyCompile.Compiler.csproj",
        "compiler/Cli/DyCompile.Cli.csproj",
        "compiler/Build/DyCompile.Build.csproj",
    ];

    public LocalFeed()
    {
        Root = Path.Combine(Path.GetTempPath(), "dycompile-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        RepositoryRoot = FindRepositoryRoot();
        // One MSBuild invocation packs them all (one start-up, one evaluation of shared imports).
        var projects = string.Join(";", PackedProjects.Select(p => Path.Combine(RepositoryRoot, p)));
        File.WriteAllText(Path.Combine(Root, "pack.proj"), $"""
            <Project>
              <Target Name="Pack">
                <MSBuild Projects="{projects}" Targets="Pack" Properties="Configuration={Configuration};PackageOutputPath={Feed}" />
              </Target>
            </Project>
            """);
        PackResult = DotnetProcess.Run(Root, "msbuild", "pack.proj", "-t:Pack", "-nologo", "-v:m");
        Packages = Directory.GetFiles(Feed, "*.nupkg").Select(Path.GetFileName).ToList()!;
    }

    /// <summary>The configuration the test assembly was built in: what the packed projects were built in too.</summary>
    public const string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public string Root { get; }

    public string Feed { get; }

    public string RepositoryRoot { get; }

    public DotnetProcess.Result PackResult { get; }

    public IReadOnlyList<string> Packages { get; }

    /// <summary>A new, empty project folder with a nuget.config that puts the local feed first
    /// (then nuget.org for third-party packages) and a private packages folder, so no package
    /// cached from an earlier run can stand in for the ones just packed.</summary>
    public string NewProjectFolder(string name)
    {
        var folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        return folder;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DyCompile.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no DyCompile.sln above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class LocalFeedCollection : ICollectionFixture<LocalFeed>
{
    public const string Name = "local feed";
}
