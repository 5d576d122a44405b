using System.Text.RegularExpressions;

namespace DyCompile.Build.Tests;

/// <summary>What a user does: a fresh console project adds DyCompile.Build from a feed, marks a
/// model [DyCompile], builds and runs. The build compiles the model ahead of time into the app;
/// a build with no change does nothing; a model error is an MSBuild error at its source line.</summary>
[Collection(LocalFeedCollection.Name)]
public sealed class BuildStepTests(LocalFeed feed)
{
    private const string Version = "0.1.0";

    private const string ProjectFile = $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="DyCompile.Build" Version="{Version}" />
          </ItemGroup>
        </Project>
        """;

    // A loop that runs while the input is small and an early exit: control flow on tensor values.
    private const string Model = """
        using DyCompile.Runtime;
        using DyCompile.Runtime.Nn;

        namespace App;

        [DyCompile(Inputs = ["f32[1,16]", "float"], Factory = nameof(Create))]
        public sealed class Refiner : Module
        {
            private readonly Linear _step;
            private readonly Linear _head;

            public static Refiner Create() => new(new Random(3));

            public Refiner(Random g)
            {
                _step = RegisterModule("step", new Linear(16, 16, generator: g));
                _head = RegisterModule("head", new Linear(16, 4, generator: g));
            }

            public (Tensor, int) Forward(Tensor x, float threshold)
            {
                var steps = 0;
                while (x.Abs().Max().Item() < threshold && steps < LIMIT)
                {
                    x = _step.Forward(x).Relu() + x;
                    steps = steps + 1;
                }
                return (_head.Forward(x), steps);
            }
        }
        """;

    private const string App = """
        using App;
        using DyCompile.Runtime;

        var model = Refiner.Create();
        var forward = model.Compiled<Func<Tensor, float, (Tensor, int)>>();
        var rng = new Random(5);
        var agreed = 0;
        var loops = new HashSet<int>();
        const int trials = 24;
        for (var trial = 0; trial < trials; trial++)
        {
            var data = new float[16];
            for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1) * 0.3f;
            var x = Tensor.FromArray(data, 1, 16);
            var threshold = (float)(rng.NextDouble() * 1.5);
            var (eager, eagerSteps) = model.Forward(x, threshold);
            var (compiled, steps) = forward(x, threshold);
            var difference = eager.Floats.ToArray().Zip(compiled.Floats.ToArray(), (a, b) => Math.Abs(a - b)).Max();
            if (steps == eagerSteps && difference <= 1e-4f) agreed++;
            loops.Add(eagerSteps);
        }
        Console.WriteLine($"compiled agrees with eager on {agreed}/{trials}; loop counts seen: {loops.Count}");
        return agreed == trials ? 0 : 1;
        """;

    [Fact]
    public void Build_compiles_the_model_into_the_app_and_a_build_with_no_change_does_nothing()
    {
        Assert.True(feed.PackResult.ExitCode == 0, $"dotnet pack failed: {feed.PackResult}");
        var folder = feed.NewProjectFolder("app");
        File.WriteAllText(Path.Combine(folder, "App.csproj"), ProjectFile);
        File.WriteAllText(Path.Combine(folder, "Refiner.cs"), Model.Replace("LIMIT", "5"));
        File.WriteAllText(Path.Combine(folder, "Program.cs"), App);

        var first = DotnetProcess.Run(folder, "build", "-c", "Release");
        Assert.True(first.ExitCode == 0, $"first build failed: {first}");
        var generated = Directory.GetFiles(Path.Combine(folder, "obj", "Release", "net10.0", "dycompile", "generated"), "*.g.cs");
        Assert.Single(generated);
        var watched = new[] { generated[0], Path.Combine(folder, "obj", "Release", "net10.0", "App.dll"), Path.Combine(folder, "bin", "Release", "net10.0", "App.dll") };
        var before = watched.Select(File.GetLastWriteTimeUtc).ToArray();

        var run = DotnetProcess.Run(folder, Path.Combine("bin", "Release", "net10.0", "App.dll"));
        Assert.True(run.ExitCode == 0, $"the app's compiled model disagrees with eager: {run}");
        Assert.Matches(@"agrees with eager on 24/24; loop counts seen: [2-9]", run.Output);
        // The app runs the model compiled at build time: no compiler ships with it.
        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "bin", "Release", "net10.0"), "Microsoft.CodeAnalysis*.dll"));

        var second = DotnetProcess.Run(folder, "build", "-c", "Release");
        Assert.True(second.ExitCode == 0, $"second build failed: {second}");
        Assert.Equal(before, watched.Select(File.GetLastWriteTimeUtc).ToArray());

        // A change to the model regenerates it and the app runs the new form.
        File.WriteAllText(Path.Combine(folder, "Refiner.cs"), Model.Replace("LIMIT", "2"));
        var changedText = File.ReadAllText(generated[0]);
        var third = DotnetProcess.Run(folder, "build", "-c", "Release");
        Assert.True(third.ExitCode == 0, $"build after the change failed: {third}");
        Assert.NotEqual(changedText, File.ReadAllText(generated[0]));
        var rerun = DotnetProcess.Run(folder, Path.Combine("bin", "Release", "net10.0", "App.dll"));
        Assert.True(rerun.ExitCode == 0, $"after the change the compiled model disagrees with eager: {rerun}");

        var clean = DotnetProcess.Run(folder, "clean", "-c", "Release");
        Assert.True(clean.ExitCode == 0, $"clean failed: {clean}");
        Assert.False(Directory.Exists(Path.Combine(folder, "obj", "Release", "net10.0", "dycompile")), "dotnet clean left the generated files");
    }

    [Fact]
    public void A_model_error_fails_the_build_with_an_msbuild_error_at_its_line()
    {
        Assert.True(feed.PackResult.ExitCode == 0, $"dotnet pack failed: {feed.PackResult}");
        var folder = feed.NewProjectFolder("broken");
        File.WriteAllText(Path.Combine(folder, "App.csproj"), ProjectFile);
        var source = Model.Replace("LIMIT", "5").Replace("var steps = 0;", "var steps = 0;\n        try { steps = 1; } catch (Exception) { steps = 2; }");
        File.WriteAllText(Path.Combine(folder, "Refiner.cs"), source);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), App);
        var lines = source.Split('\n');
        var line = Array.FindIndex(lines, l => l.TrimStart().StartsWith("try", StringComparison.Ordinal)) + 1;
        var column = lines[line - 1].IndexOf("try", StringComparison.Ordinal) + 1;

        var build = DotnetProcess.Run(folder, "build", "-c", "Release");

        Assert.NotEqual(0, build.ExitCode);
        var expected = new Regex($@"Refiner\.cs\({line},{column}\): error DYC0101: [^\r\n]*try");
        Assert.True(expected.IsMatch(build.Output), $"no MSBuild error at Refiner.cs({line},{column}) with DYC0101:\n{build.Output}");
        Assert.False(File.Exists(Path.Combine(folder, "bin", "Release", "net10.0", "App.dll")), "a failed build produced the app");
    }

    /// <summary>The generated code and the runtime are NativeAOT-clean: the app publishes as a native
    /// executable with no trimming or AOT warning and runs the build-time compiled model.</summary>
    [Fact]
    public void The_app_publishes_with_NativeAOT_and_runs_the_compiled_model()
    {
        Assert.True(feed.PackResult.ExitCode == 0, $"dotnet pack failed: {feed.PackResult}");
        var folder = feed.NewProjectFolder("native");
        File.WriteAllText(Path.Combine(folder, "App.csproj"), ProjectFile.Replace("<OutputType>Exe</OutputType>", "<OutputType>Exe</OutputType>\n    <PublishAot>true</PublishAot>\n    <InvariantGlobalization>true</InvariantGlobalization>"));
        File.WriteAllText(Path.Combine(folder, "Refiner.cs"), Model.Replace("LIMIT", "5"));
        File.WriteAllText(Path.Combine(folder, "Program.cs"), App);
        // The AOT toolchain comes from NuGet; it links with clang, or with gcc where only that is installed.
        string[] linker = OnPath("clang") ? [] : OnPath("gcc") ? ["-p:CppCompilerAndLinker=gcc"] : throw new InvalidOperationException("NativeAOT needs clang or gcc on the PATH");

        var publish = DotnetProcess.Run(folder, ["publish", "-c", "Release", "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "-o", "native", .. linker]);

        Assert.True(publish.ExitCode == 0, $"NativeAOT publish failed: {publish}");
        Assert.DoesNotMatch(@"warning IL\d{4}", publish.Output);
        var executable = Path.Combine(folder, "native", OperatingSystem.IsWindows() ? "App.exe" : "App");
        var run = DotnetProcess.RunExecutable(folder, executable);
        Assert.True(run.ExitCode == 0, $"the native app's compiled model disagrees with eager: {run}");
        Assert.Contains("agrees with eager on 24/24", run.Output);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => File.Exists(Path.Combine(dir, tool)) || File.Exists(Path.Combine(dir, tool + ".exe")));
}
