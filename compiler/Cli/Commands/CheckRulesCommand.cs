using System.CommandLine;
using DyCompile.Cli.Rules;
using DyCompile.Compiler;
using DyCompile.Testing;

namespace DyCompile.Cli.Commands;

/// <summary><c>dycompile check-rules</c>: a file of text rules (<see cref="RuleFile"/>), each checked
/// with <see cref="RuleSoundness"/>; prints "sound" per rule, or the shrunk counterexample and a
/// diagnostic at the rule's line. Exit code 1 when a line does not parse or a rule is unsound.</summary>
public static class CheckRulesCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A file of rules, one a line: name kind [claims]: left => right (docs/soundness.md)" };
        var tests = new Option<int>("--tests") { Description = "Random instances checked per rule", DefaultValueFactory = _ => SoundnessOptions.Default.Tests };
        var seed = new Option<int?>("--seed") { Description = "Seed of the instances (default: a new one each run)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines" };
        var command = new Command("check-rules", "Check that each rewrite rule of a file of text rules is sound, on random instances of its left side");
        command.Arguments.Add(file);
        command.Options.Add(tests);
        command.Options.Add(seed);
        command.Options.Add(quiet);
        command.SetAction(parse =>
        {
            var progress = new Progress(parse.GetValue(quiet));
            return CommandRunner.Run(progress, diagnostics =>
            {
                var path = parse.GetValue(file)!;
                if (!File.Exists(path)) throw new CliException(path, $"no such file '{path}'");
                var count = parse.GetValue(tests);
                if (count < 1) throw new CliException(path, $"--tests must be at least 1 (got {count})");
                var (rules, errors) = RuleFile.Parse(path, File.ReadAllText(path));
                if (errors.Count > 0) throw new CliException(errors);
                var options = SoundnessOptions.Default with { Tests = count, Seed = parse.GetValue(seed) };
                foreach (var (rule, line) in rules)
                {
                    progress.Report($"checking {rule.Name}");
                    var outcome = Check(rule, options);
                    progress.Done();
                    if (outcome.Problem is null)
                    {
                        Console.Out.WriteLine($"{rule.Name}: sound ({outcome.Passed} instances)");
                        continue;
                    }
                    // The counterexample's first line already names the rule and the difference.
                    Console.Out.WriteLine(outcome.Counterexample?.ToString() ?? $"{rule.Name}: {outcome.Problem}");
                    diagnostics.Add(new Diagnostic(ToolDiagnosticIds.UnsoundRule, DiagnosticSeverity.Error, path, line, 1, $"rule {rule.Name}: {outcome.Problem}"));
                }
            });
        });
        return command;
    }

    private static (int Passed, string? Problem, Counterexample? Counterexample) Check(Passes.Rules.TensorRule rule, SoundnessOptions options)
    {
        try
        {
            var result = RuleSoundness.Run(rule, options);
            return result.Counterexample is { } c ? (result.Passed, $"unsound: {c.Difference}", c) : (result.Passed, null, null);
        }
        catch (InvalidOperationException e)
        {
            // No instance the rule fires on, or the rule threw on one: the check cannot vouch for it.
            return (0, $"cannot be checked: {e.Message}", null);
        }
    }
}
