using DyCompile.IR;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Compiler.Tests;

/// <summary>Random mutations of valid model sources — deleted tokens, swapped statements,
/// unsupported code inserted — never make the frontend throw: each case lowers to a verified
/// program or yields diagnostics whose line and column lie inside the source.</summary>
public class FuzzTests
{
    private const int Cases = 240;

    private static readonly string[] Insertions =
    [
        "Console.WriteLine(x);",
        "throw new InvalidOperationException();",
        "goto end;",
        "var list = new System.Collections.Generic.List<Tensor>();",
        "x = null!;",
        "_fc = null!;",
        "x = x.ToString() == \"\" ? x : x;",
        "unsafe { int* p = null; }",
        "Func<int, int> f = i => i;",
        "try { } finally { }",
        "var q = System.Linq.Enumerable.Range(0, 3);",
        "lock (this) { }",
        "while (true) { }",
        "for (;;) x = x + 1f;",
        "return Forward(x, y, t, n);",
        "int k = (int)x.Sum().Item(); x = x.Reshape(k, -1);",
        "var s = x.Softmax(n);",
        "ref int r = ref n;",
        "x = x.Sum(new[] { n });",
        "do { } while (x.Sum().Item() > 0f);",
        "n = n / 0;",
    ];

    [Fact]
    public void MutatedSourcesNeverCrashTheFrontend()
    {
        var bodies = DynamicModelGenerator.Sample(40, 99);
        var originals = bodies.Select((b, i) => ModelHarness.Usings + DynamicModelGenerator.ModelSource($"F{i}", b)).ToArray();
        var models = ModelHarness.Compile(originals);
        var random = new Random(20261127);
        var lowered = 0;
        var diagnosed = 0;
        for (var c = 0; c < Cases; c++)
        {
            var index = random.Next(originals.Length);
            var source = Mutate(originals[index], random);
            var name = $"F{index}";
            var model = models.Create(name, 1);
            LoweringResult result;
            try
            {
                result = ModelLowering.Lower(source, name, "Forward", model,
                    new LoweringOptions { InputTypes = [IRType.F32(4), IRType.F32(4), null, null], Strict = random.Next(2) == 0, BlockLimit = 300 });
            }
            catch (Exception e)
            {
                Assert.Fail($"the frontend threw {e.GetType().Name}: {e.Message}\n{source}");
                return;
            }
            var lines = source.Split('\n');
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == DiagnosticIds.InternalError);
            foreach (var d in result.Diagnostics)
            {
                Assert.InRange(d.Line, 1, lines.Length);
                Assert.InRange(d.Column, 1, lines[d.Line - 1].Length + 1);
                Assert.Matches("^DYC[0-9]{4}$", d.Id);
            }
            if (result.Succeeded)
            {
                lowered++;
                Assert.Empty(Verifier.Errors(result.Program!));
            }
            else
            {
                diagnosed++;
                Assert.NotEmpty(result.Errors);
            }
        }
        // Both outcomes must occur, or the mutations test nothing.
        Assert.True(lowered > Cases / 10 && diagnosed > Cases / 10, $"{lowered} lowered, {diagnosed} diagnosed");
    }

    private static string Mutate(string source, Random random)
    {
        var lines = source.Split('\n').ToList();
        var bodyStart = lines.FindIndex(l => l.Contains("Forward(", StringComparison.Ordinal)) + 2;
        var bodyEnd = lines.FindLastIndex(l => l.Contains("return (h + x", StringComparison.Ordinal));
        switch (random.Next(3))
        {
            case 0:
                {
                    var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().ToList();
                    var victim = tokens[random.Next(tokens.Count)];
                    return source.Remove(victim.SpanStart, victim.Span.Length);
                }
            case 1 when bodyEnd - bodyStart > 2:
                {
                    int a = random.Next(bodyStart, bodyEnd), b = random.Next(bodyStart, bodyEnd);
                    (lines[a], lines[b]) = (lines[b], lines[a]);
                    return string.Join('\n', lines);
                }
            default:
                {
                    var at = random.Next(bodyStart, Math.Max(bodyStart + 1, bodyEnd));
                    lines.Insert(at, Insertions[random.Next(Insertions.Length)]);
                    return string.Join('\n', lines);
                }
        }
    }
}
