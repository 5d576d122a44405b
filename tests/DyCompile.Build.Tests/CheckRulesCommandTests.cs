using DyCompile.Cli;

namespace DyCompile.Build.Tests;

/// <summary><c>dycompile check-rules</c> as a user meets it: "sound" per rule and exit code 0, a
/// shrunk counterexample and exit code 1 for an unsound rule, and a diagnostic at the line and
/// column of a rule that does not parse.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CheckRulesCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dycompile-rules-").FullName;

    private const string SoundRules = """
        # relu is idempotent, NaN and infinities included
        relu-relu exact keeps-non-finite: (relu (relu ?x)) => (relu ?x)

        neg-neg exact keeps-non-finite: (neg (neg ?x)) => ?x   # negation is exact
        """;

    private static (int ExitCode, string Output) Run(params string[] args) => InProcessCli.Run(args);

    private string Write(string text)
    {
        var path = Path.Combine(_folder, "my.rules");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Sound_rules_are_reported_sound_with_exit_code_0()
    {
        var (code, text) = Run("check-rules", Write(SoundRules), "-q", "--seed", "7");

        Assert.True(code == CommandRunner.Success, text);
        Assert.Contains("relu-relu: sound", text);
        Assert.Contains("neg-neg: sound", text);
        Assert.DoesNotContain("error", text);
    }

    [Fact]
    public void An_unsound_rule_prints_its_counterexample_and_a_diagnostic_at_its_line_with_exit_code_1()
    {
        var path = Write(SoundRules + "\n# relu is not abs: they differ on every negative number\nrelu-abs exact: (relu ?x) => (abs ?x)\n");
        var line = SoundRules.Split('\n').Length + 2;

        var (code, text) = Run("check-rules", path, "-q", "--seed", "7");

        Assert.Equal(CommandRunner.UserError, code);
        Assert.Contains("relu-relu: sound", text);
        Assert.Contains("neg-neg: sound", text);
        Assert.Contains("rule relu-abs is unsound", text);
        // The counterexample: the left side as IR text that parses back, the inputs and both results.
        var program = text[text.IndexOf("left side:\n", StringComparison.Ordinal)..];
        program = program[(program.IndexOf('\n') + 1)..(program.IndexOf("\n}", StringComparison.Ordinal) + 2)];
        Assert.Contains("relu(", IR.IRProgram.Parse(program).ToString());
        Assert.Matches(@"values:\n  %\w+ = \[", text);
        Assert.Contains("left  0 = [", text);
        Assert.Contains("right 0 = [", text);
        Assert.Contains($"my.rules({line},1): error DYC0509: rule relu-abs", text);
        Assert.DoesNotContain("   at ", text);
    }

    [Theory]
    [InlineData("broken exact: (relu (relu ?x) => (relu ?x)", 15)]
    [InlineData("typo exat: (relu ?x) => ?x", 6)]
    [InlineData("unbound exact: (relu ?x) => (relu ?y)", 29)]
    [InlineData("unknown exact: (relux ?x) => ?x", 17)]
    [InlineData("no-arrow exact: (relu ?x) (relu ?x)", 17)]
    [InlineData("(relu ?x) => ?x", 1)]
    public void A_line_that_does_not_parse_is_a_diagnostic_at_its_line_and_column(string bad, int column)
    {
        var path = Write(SoundRules + "\n" + bad + "\n");
        var line = SoundRules.Split('\n').Length + 1;

        var (code, text) = Run("check-rules", path, "-q");

        Assert.Equal(CommandRunner.UserError, code);
        Assert.Matches($@"my\.rules\({line},{column}\): error DYC0508: ", text);
        // Nothing is checked while the file has an error.
        Assert.DoesNotContain("sound", text);
        Assert.DoesNotContain("   at ", text);
    }

    [Fact]
    public void A_missing_file_is_a_diagnostic()
    {
        var (code, text) = Run("check-rules", Path.Combine(_folder, "none.rules"), "-q");

        Assert.Equal(CommandRunner.UserError, code);
        Assert.Contains("error DYC0506", text);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
