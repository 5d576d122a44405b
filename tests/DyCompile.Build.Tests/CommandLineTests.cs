using DyCompile.Cli;

namespace DyCompile.Build.Tests;

/// <summary>The dycompile command as a user meets it: exit code 0 on success, 1 with diagnostics
/// in the canonical file(line,column) form on a user error, and never a stack trace.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dycompile-cli-").FullName;

    public const string Model = """
        using DyCompile.Runtime;
        using DyCompile.Runtime.Nn;

        namespace Demo;

        [DyCompile(Inputs = ["f32[1,8]", "float"], Factory = nameof(Create))]
        public sealed class Exit : Module
        {
            private readonly Linear _a;
            private readonly Linear _b;

            public static Exit Create() => new(new Random(2));

            public Exit(Random g)
            {
                _a = RegisterModule("a", new Linear(8, 8, generator: g));
                _b = RegisterModule("b", new Linear(8, 3, generator: g));
            }

            public (Tensor, int) Forward(Tensor x, float threshold)
            {
                var h = _a.Forward(x).Relu();
                if (h.Max().Item() > threshold) return (_b.Forward(h), 0);
                var steps = 0;
                while (steps < 3)
                {
                    h = _a.Forward(h).Tanh() + h;
                    steps = steps + 1;
                }
                return (_b.Forward(h), steps);
            }
        }
        """;

    private const string Ir = """
        program @pair(%x: tensor<f32, [2, 3]>, %y: tensor<f32, [2, 3]>) -> (tensor<f32, [2, 3]>) {
        ^entry(%x: tensor<f32, [2, 3]>, %y: tensor<f32, [2, 3]>):
          %n = neg(%y)
          %m = neg(%n)
          %a = relu(%x)
          %d = add(%a, %m)
          return %d
        }
        """;

    private static (int ExitCode, string Output) Run(params string[] args) => InProcessCli.Run(args);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void NoStackTrace(string output) => Assert.DoesNotContain("   at ", output);

    [Fact]
    public void Compile_writes_one_file_per_model_and_leaves_an_unchanged_file_alone()
    {
        var model = Write("Exit.cs", Model);
        var output = Path.Combine(_folder, "out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "Gone.g.cs"), "// a model that no longer exists");

        var (code, text) = Run("compile", model, "-o", output, "-q");

        Assert.True(code == 0, text);
        var file = Assert.Single(Directory.GetFiles(output, "*.g.cs"));
        var written = File.GetLastWriteTimeUtc(file);
        Thread.Sleep(20);
        Assert.Equal(0, Run("compile", model, "-o", output, "-q").ExitCode);
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));
    }

    [Fact]
    public void A_model_error_is_a_diagnostic_at_its_line_with_exit_code_1()
    {
        var source = Model.Replace("var steps = 0;", "var steps = 0; var f = () => 1;");
        var model = Write("Exit.cs", source);
        var line = Array.FindIndex(source.Split('\n'), l => l.Contains("() => 1")) + 1;

        var (code, text) = Run("compile", model, "-o", Path.Combine(_folder, "out"), "-q");

        Assert.Equal(CommandRunner.UserError, code);
        Assert.Matches($@"Exit\.cs\({line},\d+\): error DYC0103: ", text);
        NoStackTrace(text);
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")) && Directory.GetFiles(Path.Combine(_folder, "out")).Length > 0, "a failed compile wrote files");
    }

    [Theory]
    [InlineData("[DyCompile(Inputs = [\"f32[1,8\", \"float\"], Factory = nameof(Create))]", "DYC0501")]
    [InlineData("[DyCompile(Inputs = [\"f32[1,8]\", \"float\"], Factory = \"Missing\")]", "DYC0502")]
    [InlineData("[DyCompile(Inputs = [\"f32[1,8]\", \"float\"], Factory = nameof(Create), Targets = [\"tpu\"])]", "DYC0503")]
    [InlineData("[DyCompile(Inputs = [\"f32[1,8]\", \"float\"])]", "DYC0502")]
    public void A_wrong_attribute_is_a_diagnostic_at_the_attribute(string attribute, string id)
    {
        var source = Model.Replace("[DyCompile(Inputs = [\"f32[1,8]\", \"float\"], Factory = nameof(Create))]", attribute);
        var model = Write("Exit.cs", source);
        var line = Array.FindIndex(source.Split('\n'), l => l.Contains("[DyCompile(")) + 1;

        var (code, text) = Run("compile", model, "-o", Path.Combine(_folder, "out"), "-q");

        Assert.Equal(CommandRunner.UserError, code);
        Assert.Matches($@"Exit\.cs\({line},2\): error {id}: ", text);
        NoStackTrace(text);
    }

    [Theory]
    [InlineData("compile", "missing.dll", "-o", "out")]
    [InlineData("compile", "notes.txt", "-o", "out")]
    [InlineData("opt", "missing.ir")]
    [InlineData("hash", "broken.ir")]
    [InlineData("export-onnx", "missing.cs", "-o", "m.onnx")]
    public void Bad_input_is_exit_code_1_without_a_stack_trace(params string[] args)
    {
        Write("notes.txt", "not an assembly");
        Write("broken.ir", "program @p(%x: tensor<f32, [2]>) -> (tensor<f32, [2]>) {\n^entry(%x: tensor<f32, [2]>):\n  %y = relu(%x\n}\n");
        var (code, text) = Run([.. args.Select(a => a.Contains('.') ? Path.Combine(_folder, a) : a), "-q"]);
        Assert.Equal(CommandRunner.UserError, code);
        Assert.Contains(": error DYC05", text);
        NoStackTrace(text);
    }

    [Fact]
    public void Opt_prints_ir_that_parses_back_with_its_report()
    {
        var (code, text) = Run("opt", Write("pair.ir", Ir), "-q");
        Assert.True(code == 0, text);
        Assert.Contains("// @pair: cost", text);
        var optimized = IR.IRProgram.Parse(text);
        Assert.Equal("pair", optimized.Name);
        Assert.DoesNotContain(optimized.Entry.Nodes, n => n.Op == "neg");
    }

    private const string Body = "%n = neg(%y)\n  %m = neg(%n)\n  %a = relu(%x)\n  %d = add(%a, %m)";

    /// <summary>The functional hash is of what a program computes: relu(x) + −(−y) and y + relu(x)
    /// hash alike, y − relu(x) does not.</summary>
    [Fact]
    public void Hash_is_equal_for_programs_that_compute_the_same()
    {
        var (code1, first) = Run("hash", Write("a.ir", Ir), "-q");
        var (code2, second) = Run("hash", Write("b.ir", Ir.Replace(Body, "%a = relu(%x)\n  %d = add(%y, %a)")), "-q");
        var (code3, third) = Run("hash", Write("c.ir", Ir.Replace(Body, "%a = relu(%x)\n  %d = sub(%y, %a)")), "-q");
        Assert.True(code1 == 0 && code2 == 0 && code3 == 0, first + second + third);
        Assert.Equal(first.Trim(), second.Trim());
        Assert.NotEqual(first.Trim(), third.Trim());
    }

    [Fact]
    public void Explain_shows_segments_and_writes_dot()
    {
        var dot = Path.Combine(_folder, "exit.dot");
        var (code, text) = Run("explain", Write("Exit.cs", Model), "--dot", dot, "-q");
        Assert.True(code == 0, text);
        Assert.Matches(@"segments: \d+ call site\(s\), \d+ distinct", text);
        Assert.StartsWith("digraph", File.ReadAllText(dot));
    }

    [Fact]
    public void Export_onnx_writes_a_model_onnx_can_read()
    {
        var path = Path.Combine(_folder, "exit.onnx");
        var (code, text) = Run("export-onnx", Write("Exit.cs", Model), "-o", path, "-q");
        Assert.True(code == 0, text);
        var model = Backends.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.NotEmpty(model.Graph.Node);
    }

    [Fact]
    public void Bench_runs_both_sides_and_says_they_agree()
    {
        var (code, text) = Run("bench", Write("Exit.cs", Model), "--values", "0.2", "--calls", "20", "-q");
        Assert.True(code == 0, text);
        Assert.Matches(@"Demo\.Exit\.Forward\(f32\[1, 8\], 0\.2\): agree .*eager [\d.]+ us, compiled [\d.]+ us", text);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
